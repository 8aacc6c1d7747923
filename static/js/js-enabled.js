/* Loaded in <head>, not deferred: marks the page as having JavaScript before it is drawn, so
 * that the small-screen menu starts collapsed behind its toggler (Bootstrap's collapse).
 * Without JavaScript the <html> element keeps "no-js" and portal.css shows the menu open. */
document.documentElement.classList.replace("no-js", "js");
