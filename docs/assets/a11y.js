/* Accessibility fixes for the theme's markup: the search dialog needs a name. */
(function () {
  var search = document.querySelector(".md-search[role='dialog']");
  if (search && !search.hasAttribute("aria-label")) search.setAttribute("aria-label", "Search the handbook");
})();
