/** Said beside every chart and table of counts: they are perturbed, never exact. */
export function PerturbationNote() {
  return (
    <p className="govuk-body-s console-note" data-testid="perturbation-note">
      These counts are perturbed by disclosure control, so no small number can be learnt: small counts come
      out as 0 or as 5 and up, and cells need not add up to totals. Do not treat them as exact.
    </p>
  );
}
