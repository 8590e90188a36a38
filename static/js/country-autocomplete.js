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

  // The same folding as registrations/countries.py: no accents, no case, no dots ("U.K." is "uk").
  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
      .replace(/[.\u00b7]/g, "").replace(/[^\p{L}\p{N}]+/gu, " ").trim();
  }

  // Every country of the select: its label in the page's language and the names it answers to
  // (data-country-terms: {"GB": "united kingdom|uk|england|...", ...}).
  function countriesOf(select) {
    var known = JSON.parse(select.dataset.countryTerms || "{}");
    return Array.prototype.filter.call(select.options, function (option) { return option.value; })
      .map(function (option) {
        var label = option.textContent;
        var terms = (known[option.value] || "").split("|").filter(Boolean);
        terms.push(fold(label));
        return {code: option.value, label: label, folded: fold(label), terms: terms};
      });
  }

  // How well a country answers a query: 0 an exact name or alias ("uk" is the United Kingdom), 1 its
  // label starts with it, 2 a name or one of its words does, 3 a name contains it; -1 not at all.
  function rank(country, query) {
    if (country.terms.indexOf(query) !== -1) return 0;
    if (country.folded.indexOf(query) === 0) return 1;
    var best = -1;
    country.terms.forEach(function (term) {
      var at = term.indexOf(query);
      if (at === -1) return;
      var found = at === 0 || term.charAt(at - 1) === " " ? 2 : 3;
      if (best === -1 || found < best) best = found;
    });
    return best;
  }

  function matches(countries, text) {
    var query = fold(text);
    if (!query) return countries.map(function (country) { return {country: country, rank: 1}; });
    return countries
      .map(function (country) { return {country: country, rank: rank(country, query)}; })
      .filter(function (match) { return match.rank !== -1; })
      .sort(function (a, b) { return a.rank - b.rank || a.country.label.localeCompare(b.country.label); });
  }

  // What typed text means without a choice from the list: the one country it names exactly, or the only
  // country it matches. Anything else ("U", a prefix of several) means nothing: never a silent guess.
  function resolve(countries, text) {
    var found = matches(countries, text);
    var exact = found.filter(function (match) { return match.rank === 0; });
    if (exact.length === 1) return exact[0].country;
    if (!exact.length && found.length === 1) return found[0].country;
    return null;
  }

  function enhance(select) {
    var data = select.dataset;
    var countries = countriesOf(select);
    var byLabel = {};
    countries.forEach(function (country) { byLabel[country.label] = country; });
    var chosen = select.options[select.selectedIndex];
    var note = document.createElement("div");
    note.className = "form-text poltwt-country-note";
    note.id = select.id + "-note";
    note.setAttribute("aria-live", "polite");

    function choose(country, query) {
      select.value = country ? country.code : "";
      if (country) note.textContent = fill(data.chosen, {country: country.label});
      else note.textContent = query.trim() ? fill(data.ambiguous, {query: query.trim()}) : "";
    }

    accessibleAutocomplete.enhanceSelectElement({
      selectElement: select,
      // The placeholder option ("Choose a country") is not a value to start from.
      defaultValue: chosen && chosen.value ? chosen.textContent : "",
      showAllValues: true,
      dropdownArrow: function () { return ""; },
      // The best match is highlighted for Enter; leaving the box (Tab, a click elsewhere) never takes
      // the highlight: the blur handler below reads what was typed instead.
      autoselect: true,
      confirmOnBlur: false,
      displayMenu: "overlay",
      minLength: 0,
      source: function (query, populate) {
        populate(matches(countries, query).map(function (match) { return match.country.label; }));
      },
      onConfirm: function (label) {
        if (label && byLabel[label]) choose(byLabel[label], label);
      },
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
      var wrapper = input.closest(".autocomplete__wrapper") || input;
      wrapper.parentNode.insertBefore(note, wrapper.nextSibling);
      ["aria-describedby", "aria-invalid"].forEach(function (name) {
        if (select.hasAttribute(name)) input.setAttribute(name, select.getAttribute(name));
      });
      input.setAttribute("aria-describedby", ((input.getAttribute("aria-describedby") || "") + " " + note.id).trim());
      if (select.classList.contains("is-invalid")) input.classList.add("is-invalid");
      // Typed text that is not a choice from the list: an exact name or alias, or the only match, counts;
      // an emptied box or an ambiguous prefix leaves no country selected (the server then asks for one).
      // Arrowing through the list moves focus to the options: only focus leaving the input and its
      // options counts (Chromium's Tab also stops on a long list itself, which is leaving).
      wrapper.addEventListener("focusout", function (event) {
        var next = event.relatedTarget;
        if (next && (next === input || (wrapper.contains(next) && next.getAttribute("role") === "option"))) return;
        choose(byLabel[input.value] || resolve(countries, input.value), input.value);
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
