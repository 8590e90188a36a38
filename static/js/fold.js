// The one folding rule of poltwt's searches, for the browser: the same as geo/text.py's fold() (Python),
// so that the map finds what the participant list finds: "Policía", "POLICIA" and "policia" all fold to
// "policia", "Straße" to "strasse", "Kandahār" to "kandahar".
//   1. NFKD splits letters from their accents (and compatibility forms: "ﬁ" -> "fi");
//   2. the combining marks are dropped: the characters Python's unicodedata.combining() gives a class
//      other than 0, in the Basic Multilingual Plane (Unicode 14.0.0, Python 3.11's tables, listed below);
//   3. lower case, then what Python's str.casefold() does beyond it ("ß" -> "ss", final "ς" -> "σ");
//   4. NFKC composes what is left.
// tests/browser/test_map_search.py checks every character of the plane against Python's fold().
// Loaded by the map's worker (importScripts) and usable in a page: it defines self.poltwtFold.
(function (scope) {
  "use strict";

  var COMBINING = new RegExp("[" +
    "\u0300-\u034E\u0350-\u036F\u0483-\u0487\u0591-\u05BD\u05BF\u05C1-\u05C2\u05C4-\u05C5\u05C7" +
    "\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06DC\u06DF-\u06E4\u06E7-\u06E8\u06EA-\u06ED\u0711" +
    "\u0730-\u074A\u07EB-\u07F3\u07FD\u0816-\u0819\u081B-\u0823\u0825-\u0827\u0829-\u082D\u0859-\u085B" +
    "\u0898-\u089F\u08CA-\u08E1\u08E3-\u08FF\u093C\u094D\u0951-\u0954\u09BC\u09CD\u09FE\u0A3C\u0A4D\u0ABC" +
    "\u0ACD\u0B3C\u0B4D\u0BCD\u0C3C\u0C4D\u0C55-\u0C56\u0CBC\u0CCD\u0D3B-\u0D3C\u0D4D\u0DCA\u0E38-\u0E3A" +
    "\u0E48-\u0E4B\u0EB8-\u0EBA\u0EC8-\u0ECB\u0F18-\u0F19\u0F35\u0F37\u0F39\u0F71-\u0F72\u0F74" +
    "\u0F7A-\u0F7D\u0F80\u0F82-\u0F84\u0F86-\u0F87\u0FC6\u1037\u1039-\u103A\u108D\u135D-\u135F" +
    "\u1714-\u1715\u1734\u17D2\u17DD\u18A9\u1939-\u193B\u1A17-\u1A18\u1A60\u1A75-\u1A7C\u1A7F" +
    "\u1AB0-\u1ABD\u1ABF-\u1ACE\u1B34\u1B44\u1B6B-\u1B73\u1BAA-\u1BAB\u1BE6\u1BF2-\u1BF3\u1C37" +
    "\u1CD0-\u1CD2\u1CD4-\u1CE0\u1CE2-\u1CE8\u1CED\u1CF4\u1CF8-\u1CF9\u1DC0-\u1DFF\u20D0-\u20DC\u20E1" +
    "\u20E5-\u20F0\u2CEF-\u2CF1\u2D7F\u2DE0-\u2DFF\u302A-\u302F\u3099-\u309A\uA66F\uA674-\uA67D" +
    "\uA69E-\uA69F\uA6F0-\uA6F1\uA806\uA82C\uA8C4\uA8E0-\uA8F1\uA92B-\uA92D\uA953\uA9B3\uA9C0\uAAB0" +
    "\uAAB2-\uAAB4\uAAB7-\uAAB8\uAABE-\uAABF\uAAC1\uAAF6\uABED\uFB1E\uFE20-\uFE2F" +
  "]", "g");
  // Characters toLowerCase() leaves as they are and casefold() changes (after the steps above).
  var CASEFOLD = {
    "\u00DF": "ss", "\u03C2": "\u03C3", "\u1C80": "\u0432", "\u1C81": "\u0434", "\u1C82": "\u043E",
    "\u1C83": "\u0441", "\u1C84": "\u0442", "\u1C85": "\u0442", "\u1C86": "\u044A", "\u1C87": "\u0463",
    "\u1C88": "\uA64B"
  };
  var CASEFOLDED = /[\u00DF\u03C2\u1C80-\u1C88\u13F8-\u13FD\uAB70-\uABBF]/g;

  function casefoldOne(char) {
    var code = char.charCodeAt(0);
    // Cherokee folds to its capital letters, the other way round from every other script.
    if (code >= 0xAB70 && code <= 0xABBF) return String.fromCharCode(code - 0xAB70 + 0x13A0);
    if (code >= 0x13F8 && code <= 0x13FD) return String.fromCharCode(code - 8);
    return CASEFOLD[char];
  }

  scope.poltwtFold = function fold(text) {
    return String(text || "").normalize("NFKD").replace(COMBINING, "").toLowerCase()
      .replace(CASEFOLDED, casefoldOne).normalize("NFKC");
  };
})(self);
