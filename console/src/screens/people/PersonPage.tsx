import type { ReactNode } from "react";
import { useQuery } from "urql";
import { useAuth } from "../../auth/AuthContext";
import { Person360Document, type Person360Query } from "../../generated/graphql";
import { describeCombinedError } from "../../errors/messages";
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

/**
 * A person: everything the partnership may show about them for the purpose chosen (the contract's
 * Person360). A withheld field says so and why; withheld records are signposted where the rules
 * allow, and never shown as an empty list.
 */
export function PersonPage() {
  const id = useSearchParam("id");
  const [result] = useQuery({ query: Person360Document, variables: { id: id ?? "" }, pause: !id });
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
    </>
  );
}
