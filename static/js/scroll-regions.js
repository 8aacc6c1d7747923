/* Tables wider than the screen scroll sideways inside .table-responsive. A keyboard user can
 * scroll such a region only if it takes the focus (WCAG 2.1.1): give the ones that do scroll
 * tabindex="0" (and, with a caption, a named region). Checked again on resize. */
(function () {
  "use strict";

  function label(region) {
    var caption = region.querySelector("caption");
    return caption ? caption.textContent.trim() : "";
  }

  function update() {
    document.querySelectorAll(".table-responsive").forEach(function (region) {
      if (region.scrollWidth > region.clientWidth) {
        region.setAttribute("tabindex", "0");
        var name = label(region);
        if (name) {
          region.setAttribute("role", "region");
          region.setAttribute("aria-label", name);
        }
      } else if (region.getAttribute("tabindex") === "0") {
        region.removeAttribute("tabindex");
        region.removeAttribute("role");
        region.removeAttribute("aria-label");
      }
    });
  }

  update();
  window.addEventListener("resize", update);
})();
