import { useEffect, useMemo, useState, type FormEvent, type ReactNode } from "react";
import { Provider, useQuery, type CombinedError } from "urql";
import { useAuth } from "../../auth/AuthContext";
import { createConsoleClient } from "../../client/client";
import { Person360Document, type Person360Query } from "../../generated/graphql";
import { describeCombinedError } from "../../errors/messages";
import { usePurpose } from "../../purpose/PurposeContext";
import { TextField } from "../common/forms";
import { Problems } from "../../errors/Problems";
import { Link } from "../../router";
import { useSearchParam } from "../common/location";
import { PersonSearch } from "../common/PersonSearch";
import { Restricted, type RestrictedRow } from "../common/restricted";
import {
  isDenial,
  Value,
  Withheld,
  withheldAt,
  withheldByPath,
  type WithheldByPath,
} from "../common/withheld";
import { enumWords, when } from "../common/words";

type Person = NonNullable<Person360Query["person"]>;

interface Column<N> {
  field: keyof N & string;
  label: string;
  render?: (value: never) => ReactNode;
}

/**
 * One kind of record about the person (incidents, tenancies…): each field shown, or withheld with
 * the reason; records the rules withhold are signposted as held but restricted; and where nothing
 * is shown, the page says what that does and does not mean.
 */
function Records<N extends { id: string }>({
  name,
  title,
  holder,
  holderId,
  connection,
  columns,
  withheld,
}: {
  name: string;
  title: string;
  holder: string;
  holderId: string;
  connection:
    { totalCount: number; edges: { node: N }[]; restricted: readonly RestrictedRow[] } | null | undefined;
  columns: Column<N>[];
  withheld: WithheldByPath;
}) {
  const path = `person.${name}`;
  const { session } = useAuth();
  const problem = connection ? undefined : withheldAt(withheld, path);
  return (
    <section aria-labelledby={`records-${name}`} className="govuk-!-margin-bottom-8" data-records={name}>
      <h2 className="govuk-heading-m" id={`records-${name}`}>
        {title} <span className="govuk-caption-m">held by {holder}</span>
      </h2>
      {problem ? <Withheld problem={problem} /> : null}
      {connection ? (
        <>
          <Restricted rows={connection.restricted} what={title.toLowerCase()} />
          {connection.edges.length ? (
            <table className="govuk-table" data-testid={`records-${name}`}>
              <caption className="govuk-visually-hidden">{title}</caption>
              <thead className="govuk-table__head">
                <tr className="govuk-table__row">
                  {columns.map((c) => (
                    <th scope="col" className="govuk-table__header" key={c.field}>
                      {c.label}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody className="govuk-table__body">
                {connection.edges.map(({ node }, i) => (
                  <tr className="govuk-table__row" key={node.id} data-record={node.id}>
                    {columns.map((c) => (
                      <td className="govuk-table__cell" key={c.field}>
                        <Value
                          value={node[c.field]}
                          path={`${path}.edges.${i}.node.${c.field}`}
                          withheld={withheld}
                          render={c.render}
                        />
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          ) : connection.restricted.length ? null : session?.caller.agency === holderId ? (
            <p className="govuk-body" data-testid={`none-${name}`}>
              None: your agency holds none.
            </p>
          ) : (
            <p className="govuk-body" data-testid={`none-${name}`}>
              None you may see. This does not mean {holder} holds none: another agency&apos;s records show
              here only where it shares them with your agency for the purpose you chose.
            </p>
          )}
          {connection.totalCount > connection.edges.length ? (
            <p className="govuk-body-s">
              The first {connection.edges.length} of {connection.totalCount} shown.
            </p>
          ) : null}
        </>
      ) : null}
    </section>
  );
}

const list = (values: readonly unknown[]) => values.map(String).join(", ");

function PersonView({ person, withheld }: { person: Person; withheld: WithheldByPath }) {
  return (
    <>
      <span className="govuk-caption-l">{person.id}</span>
      <h1 className="govuk-heading-l">
        <Value value={person.displayName} path="person.displayName" withheld={withheld} />
      </h1>
      <dl className="govuk-summary-list">
        <div className="govuk-summary-list__row">
          <dt className="govuk-summary-list__key">Date of birth</dt>
          <dd className="govuk-summary-list__value">
            <Value value={person.dateOfBirth} path="person.dateOfBirth" withheld={withheld} />
          </dd>
        </div>
        <div className="govuk-summary-list__row">
          <dt className="govuk-summary-list__key">Age</dt>
          <dd className="govuk-summary-list__value">
            <Value
              value={person.ageBand}
              path="person.ageBand"
              withheld={withheld}
              render={(v: string) => enumWords(v)}
            />
          </dd>
        </div>
      </dl>
      <Records
        name="incidents"
        holderId="police"
        title="Incidents"
        holder="police"
        connection={person.incidents}
        withheld={withheld}
        columns={[
          { field: "reference", label: "Reference" },
          { field: "month", label: "Month" },
          { field: "category", label: "Crime type", render: (v: string) => enumWords(v) },
          { field: "outcome", label: "Outcome", render: (v: string) => enumWords(v) },
          { field: "summary", label: "Summary" },
          { field: "narrative", label: "Narrative" },
        ]}
      />
      <Records
        name="asbCases"
        holderId="council"
        title="ASB cases"
        holder="the council"
        connection={person.asbCases}
        withheld={withheld}
        columns={[
          { field: "reference", label: "Reference" },
          { field: "status", label: "Status", render: (v: string) => enumWords(v) },
          { field: "category", label: "Category", render: (v: string) => enumWords(v) },
          { field: "openedAt", label: "Opened", render: (v: string) => when(v) },
          { field: "riskLevel", label: "Risk", render: (v: string) => enumWords(v) },
          { field: "description", label: "Description" },
        ]}
      />
      <Records
        name="tenancies"
        holderId="housing"
        title="Tenancies"
        holder="housing"
        connection={person.tenancies}
        withheld={withheld}
        columns={[
          { field: "property", label: "Address", render: (v: { address: string }) => v.address },
          { field: "status", label: "Status", render: (v: string) => enumWords(v) },
          { field: "tenure", label: "Tenure", render: (v: string) => enumWords(v) },
          { field: "startDate", label: "Since" },
          { field: "arrearsBand", label: "Arrears", render: (v: string) => enumWords(v) },
          {
            field: "actions",
            label: "Actions taken",
            render: (v: { type: string }[]) => (v.length ? list(v.map((a) => enumWords(a.type))) : "None"),
          },
        ]}
      />
      <Records
        name="referrals"
        holderId="youth"
        title="Youth programme referrals"
        holder="youth services"
        connection={person.referrals}
        withheld={withheld}
        columns={[
          { field: "programme", label: "Programme", render: (v: { name: string }) => v.name },
          { field: "status", label: "Status", render: (v: string) => enumWords(v) },
          { field: "reason", label: "Reason" },
          { field: "referredAt", label: "Referred", render: (v: string) => when(v) },
        ]}
      />
      <Records
        name="enrolments"
        holderId="youth"
        title="School enrolments"
        holder="youth services"
        connection={person.enrolments}
        withheld={withheld}
        columns={[
          { field: "school", label: "School", render: (v: { name: string }) => v.name },
          { field: "yearGroup", label: "Year" },
          { field: "attendanceRate", label: "Attendance", render: (v: number) => `${Math.round(v * 100)}%` },
          { field: "suspensions", label: "Suspensions" },
        ]}
      />
    </>
  );
}

/** Break-glass needs a real reason: the graph counts at least this many visible characters. */
export const BREAK_GLASS_MIN_JUSTIFICATION = 20;

/** Characters a reader sees (letters, digits, punctuation, symbols), as the graph counts them. */
function visibleLength(text: string): number {
  const segments = new Intl.Segmenter("en", { granularity: "grapheme" }).segment(text.normalize("NFKC"));
  let visible = 0;
  for (const { segment } of segments) if (/[\p{L}\p{N}\p{P}\p{S}]/u.test(segment)) visible += 1;
  return visible;
}

/**
 * Emergency ("break-glass") access for a practitioner: under Safeguarding only, with a
 * justification, which releases what the agreements withhold, is recorded in the audit as
 * break-glass, and goes to the data-sharing officers of every agency whose data it releases.
 */
export function BreakGlassForm({
  error,
  onOpen,
}: {
  /** The graph's refusal of the last attempt, if any. */
  error?: string;
  onOpen(justification: string): void;
}) {
  const { purpose, setPurpose } = usePurpose();
  const [justification, setJustification] = useState("");
  const [local, setLocal] = useState<string | undefined>();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const problem = !justification.trim()
      ? "Enter why you need emergency access"
      : visibleLength(justification) < BREAK_GLASS_MIN_JUSTIFICATION
        ? `Say why in at least ${BREAK_GLASS_MIN_JUSTIFICATION} characters`
        : undefined;
    setLocal(problem);
    if (!problem) onOpen(justification.trim());
  };
  return (
    <section aria-labelledby="break-glass" className="govuk-!-margin-bottom-8" data-testid="break-glass">
      <h2 className="govuk-heading-m" id="break-glass">
        Emergency access (break-glass)
      </h2>
      <div className="govuk-warning-text">
        <span className="govuk-warning-text__icon" aria-hidden="true">
          !
        </span>
        <strong className="govuk-warning-text__text">
          <span className="govuk-visually-hidden">Warning</span>
          Only to protect a child or adult at risk. It shows what the sharing rules withhold from you, for
          this page only. It is recorded in the audit with your name and your reason, and the data-sharing
          officers of every agency whose data it shows review it.
        </strong>
      </div>
      {purpose !== "SAFEGUARDING" ? (
        <>
          <p className="govuk-body">Break-glass works only when you are working for Safeguarding.</p>
          <button
            type="button"
            className="govuk-button govuk-button--secondary"
            onClick={() => setPurpose("SAFEGUARDING")}
          >
            Work for Safeguarding
          </button>
        </>
      ) : (
        <form onSubmit={submit} noValidate aria-label="Emergency access">
          <TextField
            id="break-glass-justification"
            label="Why you need it now"
            hint={`At least ${BREAK_GLASS_MIN_JUSTIFICATION} characters. The data-sharing officers who review it read this.`}
            value={justification}
            onChange={setJustification}
            error={local ?? error}
            multiline
          />
          <button type="submit" className="govuk-button govuk-button--warning">
            Use emergency access
          </button>
        </form>
      )}
    </section>
  );
}

/** The graph's refusal of a break-glass header (a 400 naming it), for the justification field. */
function breakGlassRefusal(error: CombinedError | undefined): string | undefined {
  const refused = error?.graphQLErrors.find((e) => e.message.startsWith("x-break-glass: "));
  if (!refused) return undefined;
  const why = refused.message.slice("x-break-glass: ".length);
  return why[0].toUpperCase() + why.slice(1);
}

/**
 * The person as break-glass releases them, through a client of its own (nothing it is given is
 * kept for the page's other requests): marked as such all over, and ended in one click.
 */
function BreakGlassPerson(props: { id: string; justification: string; onStop(refusal?: string): void }) {
  const { session, expire } = useAuth();
  const client = useMemo(
    () =>
      createConsoleClient({
        token: session?.token ?? "",
        purpose: "SAFEGUARDING",
        breakGlass: props.justification,
        onUnauthorized: expire,
      }),
    [session, props.justification, expire],
  );
  return (
    <Provider value={client}>
      <BreakGlassView {...props} />
    </Provider>
  );
}

function BreakGlassView({
  id,
  justification,
  onStop,
}: {
  id: string;
  justification: string;
  onStop(refusal?: string): void;
}) {
  const [result] = useQuery({ query: Person360Document, variables: { id } });
  const refusal = breakGlassRefusal(result.error);
  const withheld = withheldByPath(result.error);
  const problems = result.error
    ? describeCombinedError(result.error).filter((p) => !(p.path && result.data?.person && isDenial(p)))
    : [];
  // A justification the graph refused goes back to the form, next to the field.
  useEffect(() => {
    if (refusal) onStop(refusal);
  }, [refusal, onStop]);
  if (refusal) return null;
  return (
    <>
      <div
        className="govuk-notification-banner console-break-glass"
        role="region"
        aria-labelledby="break-glass-on"
      >
        <div className="govuk-notification-banner__header">
          <h2 className="govuk-notification-banner__title" id="break-glass-on">
            Emergency access in use
          </h2>
        </div>
        <div className="govuk-notification-banner__content" data-testid="break-glass-on">
          <p className="govuk-notification-banner__heading">
            This page shows what the sharing rules would withhold. It is recorded in the audit as break-glass,
            and the data-sharing officers of each agency whose data it shows will review it.
          </p>
          <p className="govuk-body">Your reason: {justification}</p>
          <button type="button" className="govuk-button govuk-button--secondary" onClick={() => onStop()}>
            End emergency access
          </button>
        </div>
      </div>
      <Problems problems={problems} partial={Boolean(result.data?.person)} />
      {result.fetching ? (
        <p className="govuk-body" role="status">
          Loading…
        </p>
      ) : null}
      {result.data?.person ? <PersonView person={result.data.person} withheld={withheld} /> : null}
    </>
  );
}

/**
 * A person: everything the partnership may show about them for the purpose chosen (the contract's
 * Person360). A withheld field says so and why; withheld records are signposted where the rules
 * allow, and never shown as an empty list.
 */
export function PersonPage() {
  const id = useSearchParam("id");
  const { session } = useAuth();
  // Break-glass holds for this person's page only: going elsewhere ends it.
  const [glass, setGlass] = useState<{ id: string; justification: string } | null>(null);
  const [glassRefused, setGlassRefused] = useState<string | undefined>();
  const inGlass = Boolean(id && glass?.id === id);
  const [result] = useQuery({ query: Person360Document, variables: { id: id ?? "" }, pause: !id || inGlass });
  if (!id)
    return (
      <>
        <h1 className="govuk-heading-l">People</h1>
        <PersonSearch
          action={(p) => (
            <Link className="govuk-link" to={`/person?id=${encodeURIComponent(p.id)}`}>
              Open<span className="govuk-visually-hidden"> {p.displayName ?? p.id}</span>
            </Link>
          )}
        />
      </>
    );
  if (inGlass && glass)
    return (
      <>
        <Link className="govuk-back-link" to="/person">
          Find another person
        </Link>
        <BreakGlassPerson
          id={glass.id}
          justification={glass.justification}
          onStop={(refusal) => {
            setGlassRefused(refusal);
            setGlass(null);
          }}
        />
      </>
    );
  const withheld = withheldByPath(result.error);
  // Denied fields are shown where they fall; the rest (a service down, a purpose refused) at the top too.
  const problems = result.error
    ? describeCombinedError(result.error).filter((p) => !(p.path && result.data?.person && isDenial(p)))
    : [];
  return (
    <>
      <Link className="govuk-back-link" to="/person">
        Find another person
      </Link>
      <Problems problems={problems} partial={Boolean(result.data?.person)} />
      {result.fetching ? (
        <p className="govuk-body" role="status">
          Loading…
        </p>
      ) : null}
      {result.data && !result.data.person && !result.fetching ? (
        <h1 className="govuk-heading-l">No such person, or none you may see</h1>
      ) : null}
      {result.data?.person ? <PersonView person={result.data.person} withheld={withheld} /> : null}
      {result.data?.person && session?.caller.role === "PRACTITIONER" ? (
        <BreakGlassForm
          error={glassRefused}
          onOpen={(justification) => {
            setGlassRefused(undefined);
            setGlass({ id, justification });
          }}
        />
      ) : null}
    </>
  );
}
