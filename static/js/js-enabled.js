// Marks the page as JavaScript-enabled for GOV.UK Frontend (kept out of inline
// script so the Content-Security-Policy can forbid inline scripts).
document.body.className += " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
