// A stand-in for reveal.js with just the API browsertest uses, so the tests need no npm assets.
// A slide's data-onshow runs when it is shown (to make problems appear on a given slide).
window.Reveal = {
  cur: null,
  outer: function () { return Array.prototype.slice.call(document.querySelectorAll(".slides > section")); },
  getSlides: function () { return Array.prototype.slice.call(document.querySelectorAll(".slides > section > section")); },
  getIndices: function (el) {
    el = el || this.cur;
    return { h: this.outer().indexOf(el.parentNode), v: Array.prototype.indexOf.call(el.parentNode.children, el) };
  },
  slide: function (h, v) {
    this.getSlides().forEach(function (s) { s.style.display = "none"; });
    var el = this.outer()[h].children[v];
    el.style.display = "block";
    this.cur = el;
    if (el.dataset.onshow) { new Function(el.dataset.onshow)(); }
  },
  getCurrentSlide: function () { return this.cur; }
};
// Draws a box into a chart container once it is visible, as ECharts does after a resize.
function drawWhenVisible(id) {
  var el = document.getElementById(id);
  var t = setInterval(function () {
    if (!el.offsetWidth) { return; }
    clearInterval(t);
    var cv = document.createElement("canvas");
    cv.width = el.offsetWidth; cv.height = el.offsetHeight;
    cv.getContext("2d").fillRect(10, 10, 50, 50);
    el.appendChild(cv);
  }, 50);
}
