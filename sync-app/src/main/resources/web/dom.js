'use strict';
// DOM and formatting helpers every section of the web page uses: plain functions, no page state.
window.SyncDom = (function () {
  const $ = (sel, root) => (root || document).querySelector(sel);

  function el(tag, text, cls) {
    const e = document.createElement(tag);
    if (text !== undefined && text !== null) { e.textContent = text; }
    if (cls) { e.className = cls; }
    return e;
  }

  function button(text, cls, onClick) {
    const b = el('button', text, cls);
    b.type = 'button';
    b.addEventListener('click', onClick);
    return b;
  }

  function bytes(n) {
    if (n === null || n === undefined) { return ''; }
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let v = n, u = 0;
    while (v >= 1024 && u < units.length - 1) { v /= 1024; u++; }
    return u === 0 ? n + ' B' : v.toFixed(1) + ' ' + units[u];
  }

  function when(iso) { return iso ? new Date(iso).toLocaleString() : ''; }

  function duration(s) {
    if (s === null || s === undefined || s < 0) { return ''; }
    s = Math.round(s);
    return s < 60 ? s + ' s' : Math.floor(s / 60) + ' min ' + (s % 60) + ' s';
  }

  return { $, el, button, bytes, when, duration };
})();
