// report.html's one script, inlined into the page: the gallery's filter box.
(function () {
  var filter = document.getElementById('filter');
  if (!filter) { return; }
  var cards = Array.prototype.slice.call(document.querySelectorAll('#gallery .card'));
  filter.addEventListener('input', function () {
    var needle = filter.value.trim().toLowerCase();
    cards.forEach(function (card) {
      var text = card.textContent.toLowerCase();
      card.style.display = !needle || text.indexOf(needle) >= 0 ? '' : 'none';
    });
  });
})();
