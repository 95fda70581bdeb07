// The hall display (conduct/display.html) shows the latest evaluated month: reload it every ten
// minutes so a new month appears without anyone touching the screen.
"use strict";
window.setTimeout(function () {
  window.location.reload();
}, 10 * 60 * 1000);
