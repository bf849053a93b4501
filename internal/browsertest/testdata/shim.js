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
  // f: the last fragment shown (-1 or undefined: none); a fragment shown gets class "visible",
  // and data-onfragment runs (to make a fragment change the slide's height).
  slide: function (h, v, f) {
    this.getSlides().forEach(function (s) { s.style.display = "none"; });
    var el = this.outer()[h].children[v];
    el.style.display = "block";
    if (this.cur !== el) {
      this.cur = el;
      if (el.dataset.onshow) { new Function(el.dataset.onshow)(); }
    }
    Array.prototype.forEach.call(el.querySelectorAll(".fragment"), function (fr) {
      var on = f !== undefined && parseInt(fr.getAttribute("data-fragment-index"), 10) <= f;
      fr.classList.toggle("visible", on);
      fr.style.display = on || !fr.dataset.grows ? "" : "none";
    });
  },
  // The size every slide is laid out at (reveal.js's default), before scaling to the window.
  getComputedSlideSize: function () { return { width: 960, height: 700 }; },
  getCurrentSlide: function () { return this.cur; },
  configure: function () {}
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
