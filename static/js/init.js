import { initAll } from "/static/build/govuk/govuk-frontend.min.js";

initAll();

// GOV.UK Frontend's radios set aria-expanded on a radio that reveals a question, an
// attribute ARIA does not allow on radios (axe-core: aria-allowed-attr). The revealed
// question follows its radio in the page, so nothing is lost by taking it off again
// after each time the component sets it (on load, on a click or arrow key, on pageshow).
function dropExpanded() {
  document.querySelectorAll('input[type="radio"][aria-expanded]').forEach((radio) => {
    radio.removeAttribute("aria-expanded");
  });
}
dropExpanded();
document.addEventListener("click", dropExpanded);
window.addEventListener("pageshow", dropExpanded);
