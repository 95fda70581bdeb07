/* Starts Redoc on the schema named by this script tag's data attributes (docs/decisions.md §S3: no
   inline script). Redoc's own styles are injected <style> elements: they carry this tag's CSP
   nonce. Redoc's sidebar always draws the Redocly logo from cdn.redoc.ly; intranets have no
   internet and the policy allows no CDN, so that one image is served from our static files. */
"use strict";
(function () {
  const tag = document.currentScript;
  const CDN_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg";
  const local = (value) => (value === CDN_LOGO ? tag.dataset.logoUrl : value);
  const setAttribute = Element.prototype.setAttribute;
  Element.prototype.setAttribute = function (name, value) {
    return setAttribute.call(this, name, name === "src" ? local(value) : value);
  };
  const src = Object.getOwnPropertyDescriptor(HTMLImageElement.prototype, "src");
  Object.defineProperty(HTMLImageElement.prototype, "src", {
    get: src.get,
    set(value) { src.set.call(this, local(value)); },
    configurable: true,
  });
  const settings = JSON.parse(tag.dataset.settings || "{}");
  settings.nonce = tag.nonce;
  Redoc.init(tag.dataset.schemaUrl, settings, document.getElementById("redoc-container"));
})();
