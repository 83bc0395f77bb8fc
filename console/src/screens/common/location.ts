import { useEffect, useState } from "react";

/** One query-string parameter of the page (/console/person?id=…), kept in step with navigation. */
export function useSearchParam(name: string): string | null {
  const read = () => new URLSearchParams(window.location.search).get(name);
  const [value, setValue] = useState(read);
  useEffect(() => {
    const update = () => setValue(new URLSearchParams(window.location.search).get(name));
    window.addEventListener("popstate", update);
    return () => window.removeEventListener("popstate", update);
  }, [name]);
  return value;
}
