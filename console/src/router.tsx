import { useEffect, useState, type AnchorHTMLAttributes, type MouseEvent } from "react";

/** Paths under /console, routed in the browser (the gateway answers every one with the app). */
export const BASE = "/console";

function current(): string {
  const path = window.location.pathname.startsWith(BASE) ? window.location.pathname.slice(BASE.length) : "/";
  return path || "/";
}

export function navigate(to: string): void {
  window.history.pushState(null, "", `${BASE}${to}`);
  window.dispatchEvent(new PopStateEvent("popstate"));
}

/** The app's path (without /console), kept in step with the address bar. */
export function usePath(): string {
  const [path, setPath] = useState(current);
  useEffect(() => {
    const update = () => setPath(current());
    window.addEventListener("popstate", update);
    return () => window.removeEventListener("popstate", update);
  }, []);
  return path;
}

/** A real link (opens in a new tab, works by keyboard) that routes in place on a plain click. */
export function Link({ to, ...rest }: { to: string } & AnchorHTMLAttributes<HTMLAnchorElement>) {
  const onClick = (event: MouseEvent<HTMLAnchorElement>) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(to);
  };
  return <a href={`${BASE}${to}`} onClick={onClick} {...rest} />;
}
