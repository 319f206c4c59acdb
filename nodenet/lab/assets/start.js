// Start: draw, wire the controls, show the state the URL asks for.
"use strict";
buildDiagram();
wire();
readFragment(currentFragment());
refresh();
document.body.dataset.ready = "true";
