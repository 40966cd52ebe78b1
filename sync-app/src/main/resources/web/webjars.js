'use strict';
// Where the page finds the WebJars it loads (served by Javalin under /webjars/). Maven's resource
// filtering writes the versions pinned in the parent pom, so a version bump is one line there.
window.SyncWebjars = {
  uplot: '/webjars/uplot/${uplot.version}/dist/',
};
