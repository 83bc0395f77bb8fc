import "govuk-frontend/dist/govuk/govuk-frontend.min.css";
import "./console.css";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";

// GOV.UK Frontend styles its JavaScript-enhanced components by this class (no inline script).
document.body.classList.add("govuk-frontend-supported", "js-enabled");
createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
