import { useQuery } from "urql";
import { ConsoleAgenciesDocument } from "../generated/graphql";

/** An agency's name from the graph's registry; its id until that answers (or if it cannot). */
export function AgencyName({ id }: { id: string }) {
  const [result] = useQuery({ query: ConsoleAgenciesDocument });
  return <>{result.data?.agencies.find((a) => a.id === id)?.name ?? id}</>;
}
