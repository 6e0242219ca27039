// The printable dashboard (?print=1) opens the print dialog once the page is drawn.
window.addEventListener("load", () => window.print());
