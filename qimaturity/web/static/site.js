// The NHS.UK frontend's components (menus, password reveal): the pages work without them.
import { initAll } from "../nhsuk/nhsuk-frontend.min.js";

document.body.classList.add("js-enabled", "nhsuk-frontend-supported");
initAll();
