// Copies the GOV.UK Frontend JavaScript and assets (fonts excluded: see
// portal.scss) into static/build so Django's collectstatic serves them.
const fs = require("fs");
const path = require("path");

const src = path.join(__dirname, "..", "node_modules", "govuk-frontend", "dist", "govuk");
const dest = path.join(__dirname, "..", "static", "build", "govuk");

fs.mkdirSync(dest, { recursive: true });
fs.copyFileSync(path.join(src, "govuk-frontend.min.js"), path.join(dest, "govuk-frontend.min.js"));
fs.cpSync(path.join(src, "assets", "images"), path.join(dest, "assets", "images"), { recursive: true });
fs.cpSync(path.join(src, "assets", "manifest.json"), path.join(dest, "assets", "manifest.json"));
