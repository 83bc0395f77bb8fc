import type { ReactNode } from "react";
import type { CombinedError } from "urql";
import { describeCombinedError, type Problem } from "../../errors/messages";

/** Messages per form field, keyed by the field's name in the operation's input. */
export type FieldErrors = Record<string, string>;

/**
 * The API's validation messages, by field: bad input names its argument (`extensions.argument`,
 * e.g. "input.validTo"), and a value GraphQL itself refused (a date that is not one) is named in
 * its message ("... at \"input.validFrom\""). Everything else is a problem for the whole page.
 */
export function apiFieldErrors(
  error: CombinedError | undefined,
  prefix = "input.",
): { fields: FieldErrors; problems: Problem[] } {
  const fields: FieldErrors = {};
  if (!error) return { fields, problems: [] };
  const others: CombinedError["graphQLErrors"] = [];
  for (const e of error.graphQLErrors) {
    const argument = typeof e.extensions?.argument === "string" ? e.extensions.argument : undefined;
    const coerced = /at "([\w.[\]]+)"/.exec(e.message)?.[1];
    const name = argument ?? coerced;
    if (e.extensions?.code === "BAD_USER_INPUT" && name) {
      const field = (name.startsWith(prefix) ? name.slice(prefix.length) : name).replace(/\[\d+\]$/, "");
      const text = argument ? e.message.replace(/^[\w.[\]]+: /, "") : plainCoercion(e.message);
      fields[field] = fields[field] ?? sentence(text);
    } else others.push(e);
  }
  const problems =
    others.length || error.networkError
      ? describeCombinedError({ ...error, graphQLErrors: others } as CombinedError)
      : [];
  return { fields, problems };
}

function plainCoercion(message: string): string {
  const why = /; (.*)$/.exec(message)?.[1] ?? message;
  return why.replace(/^Expected type "?\w+"?\. ?/, "").trim() || "Enter a valid value";
}

function sentence(text: string): string {
  const t = text.trim();
  return t ? t[0].toUpperCase() + t.slice(1) : "Enter a valid value";
}

/** GOV.UK error summary: each message links to its field. */
export function ErrorSummary({
  errors,
  labels,
  idPrefix,
}: {
  errors: FieldErrors;
  labels: Record<string, string>;
  idPrefix: string;
}) {
  const entries = Object.entries(errors);
  if (!entries.length) return null;
  return (
    <div className="govuk-error-summary" role="alert" data-testid="error-summary">
      <h2 className="govuk-error-summary__title">There is a problem</h2>
      <div className="govuk-error-summary__body">
        <ul className="govuk-list govuk-error-summary__list">
          {entries.map(([field, message]) => (
            <li key={field}>
              <a href={`#${idPrefix}-${field}`}>
                {labels[field] ?? field}: {message}
              </a>
            </li>
          ))}
        </ul>
      </div>
    </div>
  );
}

interface FieldProps {
  id: string;
  label: string;
  hint?: string;
  error?: string;
}

function Group({ id, error, children }: { id: string; error?: string; children: ReactNode }) {
  return (
    <div className={`govuk-form-group${error ? " govuk-form-group--error" : ""}`} data-field={id}>
      {children}
    </div>
  );
}

function ErrorLine({ id, error }: { id: string; error?: string }) {
  return error ? (
    <p className="govuk-error-message" id={`${id}-error`}>
      <span className="govuk-visually-hidden">Error:</span> {error}
    </p>
  ) : null;
}

function describedBy(id: string, hint?: string, error?: string): string | undefined {
  const ids = [hint ? `${id}-hint` : "", error ? `${id}-error` : ""].filter(Boolean).join(" ");
  return ids || undefined;
}

export function TextField({
  id,
  label,
  hint,
  error,
  value,
  onChange,
  type = "text",
  width,
  multiline = false,
}: FieldProps & {
  value: string;
  onChange(value: string): void;
  type?: "text" | "date";
  width?: 10 | 20 | 30;
  multiline?: boolean;
}) {
  const className = multiline
    ? `govuk-textarea${error ? " govuk-textarea--error" : ""}`
    : `govuk-input${width ? ` govuk-input--width-${width}` : ""}${error ? " govuk-input--error" : ""}`;
  return (
    <Group id={id} error={error}>
      <label className="govuk-label govuk-label--s" htmlFor={id}>
        {label}
      </label>
      {hint ? (
        <div className="govuk-hint" id={`${id}-hint`}>
          {hint}
        </div>
      ) : null}
      <ErrorLine id={id} error={error} />
      {multiline ? (
        <textarea
          className={className}
          id={id}
          rows={3}
          value={value}
          aria-describedby={describedBy(id, hint, error)}
          onChange={(e) => onChange(e.target.value)}
        />
      ) : (
        <input
          className={className}
          id={id}
          type={type}
          value={value}
          aria-describedby={describedBy(id, hint, error)}
          onChange={(e) => onChange(e.target.value)}
        />
      )}
    </Group>
  );
}

export function SelectField({
  id,
  label,
  hint,
  error,
  value,
  onChange,
  options,
}: FieldProps & {
  value: string;
  onChange(value: string): void;
  options: readonly { value: string; label: string }[];
}) {
  return (
    <Group id={id} error={error}>
      <label className="govuk-label govuk-label--s" htmlFor={id}>
        {label}
      </label>
      {hint ? (
        <div className="govuk-hint" id={`${id}-hint`}>
          {hint}
        </div>
      ) : null}
      <ErrorLine id={id} error={error} />
      <select
        className={`govuk-select${error ? " govuk-select--error" : ""}`}
        id={id}
        value={value}
        aria-describedby={describedBy(id, hint, error)}
        onChange={(e) => onChange(e.target.value)}
      >
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </Group>
  );
}

/** A set of checkboxes or radios in a fieldset; the first input takes the field's id (error links land there). */
export function ChoiceField({
  id,
  label,
  hint,
  error,
  options,
  selected,
  onChange,
  multiple,
}: FieldProps & {
  options: readonly { value: string; label: string; hint?: string }[];
  selected: readonly string[];
  onChange(selected: string[]): void;
  multiple: boolean;
}) {
  const kind = multiple ? "checkboxes" : "radios";
  return (
    <Group id={id} error={error}>
      <fieldset className="govuk-fieldset" aria-describedby={describedBy(id, hint, error)}>
        <legend className="govuk-fieldset__legend govuk-fieldset__legend--s">{label}</legend>
        {hint ? (
          <div className="govuk-hint" id={`${id}-hint`}>
            {hint}
          </div>
        ) : null}
        <ErrorLine id={id} error={error} />
        <div className={`govuk-${kind} govuk-${kind}--small`}>
          {options.map((o, i) => {
            const inputId = i === 0 ? id : `${id}-${o.value}`;
            const checked = selected.includes(o.value);
            return (
              <div className={`govuk-${kind}__item`} key={o.value}>
                <input
                  className={`govuk-${kind}__input`}
                  id={inputId}
                  name={id}
                  type={multiple ? "checkbox" : "radio"}
                  value={o.value}
                  checked={checked}
                  onChange={() =>
                    onChange(
                      multiple
                        ? checked
                          ? selected.filter((s) => s !== o.value)
                          : [...selected, o.value]
                        : [o.value],
                    )
                  }
                />
                <label className={`govuk-label govuk-${kind}__label`} htmlFor={inputId}>
                  {o.label}
                </label>
                {o.hint ? <div className={`govuk-hint govuk-${kind}__hint`}>{o.hint}</div> : null}
              </div>
            );
          })}
        </div>
      </fieldset>
    </Group>
  );
}

/** A successful change, GOV.UK notification banner style. */
export function Done({ children }: { children: ReactNode }) {
  return (
    <div
      className="govuk-notification-banner govuk-notification-banner--success"
      role="status"
      data-testid="done"
    >
      <div className="govuk-notification-banner__header">
        <h2 className="govuk-notification-banner__title">Done</h2>
      </div>
      <div className="govuk-notification-banner__content">
        <p className="govuk-notification-banner__heading">{children}</p>
      </div>
    </div>
  );
}
