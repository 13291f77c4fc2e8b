import { initAll } from "/static/build/govuk/govuk-frontend.min.js";

initAll();
