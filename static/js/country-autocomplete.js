// Progressive enhancement of the country <select>: accessible-autocomplete (GOV.UK, served from
// static/vendor/accessible-autocomplete/) replaces it with a combobox that finds a country by any part of
// its name. Without JavaScript, or if the library did not load, the plain <select> is used. Messages are
// read from the select's data-* attributes, which the server translates.
(function () {
  "use strict";

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (whole, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : whole;
    });
  }

  function enhance(select) {
    var data = select.dataset;
    var chosen = select.options[select.selectedIndex];
    accessibleAutocomplete.enhanceSelectElement({
      selectElement: select,
      // The placeholder option ("Choose a country") is not a value to start from.
      defaultValue: chosen && chosen.value ? chosen.textContent : "",
      showAllValues: true,
      dropdownArrow: function () { return ""; },
      autoselect: true,
      confirmOnBlur: true,
      displayMenu: "overlay",
      minLength: 0,
      tNoResults: function () { return data.noResults; },
      tAssistiveHint: function () { return data.hint; },
      tStatusNoResults: function () { return data.noResults; },
      tStatusSelectedOption: function (option, count, index) {
        return fill(data.statusSelected, {option: option, count: count, index: index + 1});
      },
      tStatusResults: function (count, selected) {
        return fill(count === 1 ? data.statusOneResult : data.statusResults, {count: count, selected: selected});
      }
    });
    // The enhanced input keeps the select's invalid state and its error/help text.
    var input = document.getElementById(select.id.replace(/-select$/, ""));
    if (input) {
      ["aria-describedby", "aria-invalid"].forEach(function (name) {
        if (select.hasAttribute(name)) input.setAttribute(name, select.getAttribute(name));
      });
      if (select.classList.contains("is-invalid")) input.classList.add("is-invalid");
      // An emptied box must not leave the old country silently selected.
      input.addEventListener("change", function () {
        if (!input.value.trim()) select.value = "";
      });
      input.addEventListener("blur", function () {
        if (!input.value.trim()) select.value = "";
      });
    }
  }

  function start() {
    if (typeof accessibleAutocomplete === "undefined" || !accessibleAutocomplete.enhanceSelectElement) return;
    Array.prototype.forEach.call(document.querySelectorAll("select[data-autocomplete]"), enhance);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
