// The SPARQL page's editor: CodeMirror 5 (vendored, static/vendor/codemirror/) over the text
// box, with SPARQL highlighting, line numbers, and completion of the predeclared prefixes and
// the keywords (Ctrl-Space, or as a prefix is typed). Ctrl-Enter runs the query. Without
// JavaScript the plain text box works as before.
(function () {
  "use strict";
  var area = document.getElementById("sparql-editor");
  if (!area || !window.CodeMirror) {
    return;
  }
  var prefixes = JSON.parse(area.getAttribute("data-prefixes") || "{}");
  var keywords = [
    "SELECT", "DISTINCT", "WHERE", "FILTER", "OPTIONAL", "UNION", "MINUS", "GRAPH", "VALUES",
    "BIND", "ORDER BY", "GROUP BY", "HAVING", "LIMIT", "OFFSET", "CONSTRUCT", "DESCRIBE", "ASK",
    "COUNT", "SAMPLE", "GROUP_CONCAT", "CONTAINS", "REGEX", "STR", "LANG", "NOT EXISTS", "EXISTS"
  ];

  function complete(editor) {
    var cursor = editor.getCursor();
    var line = editor.getLine(cursor.line);
    var start = cursor.ch;
    while (start > 0 && /[\w:-]/.test(line.charAt(start - 1))) {
      start -= 1;
    }
    var word = line.slice(start, cursor.ch);
    var found = [];
    Object.keys(prefixes).forEach(function (prefix) {
      var name = prefix + ":";
      if (name.indexOf(word) === 0 && name !== word) {
        found.push({text: name, displayText: name + "  <" + prefixes[prefix] + ">"});
      }
    });
    if (word.indexOf(":") < 0) {
      keywords.forEach(function (keyword) {
        if (word && keyword.toLowerCase().indexOf(word.toLowerCase()) === 0) {
          found.push(keyword);
        }
      });
    }
    return {list: found, from: window.CodeMirror.Pos(cursor.line, start), to: cursor};
  }

  function offer(editor) {
    editor.showHint({hint: complete, completeSingle: false});
  }

  var editor = window.CodeMirror.fromTextArea(area, {
    mode: "sparql",
    lineNumbers: true,
    indentUnit: 2,
    screenReaderLabel: "SPARQL",
    extraKeys: {
      "Ctrl-Space": offer,
      "Ctrl-Enter": function (cm) {
        cm.save();
        area.form.submit();
      }
    }
  });
  editor.on("inputRead", function (cm, change) {
    if (change.text.length === 1 && /^[A-Za-z]$/.test(change.text[0])) {
      offer(cm);
    }
  });
  window.kgEditor = editor;  // for the browser test
}());
