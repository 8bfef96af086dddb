/* Live reload for `bulletin serve`. The preview server injects this into HTML responses
   after `window.__bulletinLive = {endpoint, server, version, error, warnings}`; built
   pages never contain it.

   Per build event a tab: shows or clears the error overlay; shows build warnings in a
   dismissible notice; when its own page changed, fetches it and swaps the new body (and
   title) in place: no navigation, so the stylesheets, the event stream and the reader's
   scroll position stay, and the edit shows sooner (a page with scripts of its own, or
   other stylesheets, is reloaded instead); reloads if a script or image it loaded
   changed; swaps changed stylesheets in place, keeping the page and its scripts' state. */
(function () {
  "use strict";
  var live = window.__bulletinLive;
  if (!live || window.__bulletinLiveStarted) return;
  window.__bulletinLiveStarted = true;

  var ERROR_ID = "bulletin-live-error";
  var NOTICE_ID = "bulletin-live-notice";
  var DISMISSED_KEY = "bulletin-live-dismissed";

  function element(tag, style, text) {
    var node = document.createElement(tag);
    if (style) node.style.cssText = style;
    if (text) node.textContent = text;
    return node;
  }

  function showError(error) {
    hideError();
    var overlay = element(
      "div",
      "position:fixed;inset:0;z-index:2147483647;overflow:auto;padding:2rem;" +
        "background:rgba(24,24,28,.92);color:#fff;font:15px/1.6 system-ui,sans-serif;"
    );
    overlay.id = ERROR_ID;
    overlay.setAttribute("role", "alertdialog");
    overlay.setAttribute("aria-label", "构建失败 Build failed");
    overlay.appendChild(element("h2", "margin:0 0 1rem;color:#ff8a80;", "构建失败 · Build failed"));
    var text = element(
      "pre",
      "white-space:pre-wrap;font:14px/1.5 ui-monospace,monospace;margin:0 0 1rem;",
      error.text
    );
    text.className = "bulletin-live-error-text";
    overlay.appendChild(text);
    overlay.appendChild(
      element("p", "margin:0;opacity:.8;", "保存修正后此提示会自动消失。Fix the file and save: this clears by itself.")
    );
    document.body.appendChild(overlay);
  }

  function hideError() {
    var old = document.getElementById(ERROR_ID);
    if (old) old.remove();
  }

  // Dismissing hides these exact warnings (they repeat every build until resolved).
  function dismissed(key) {
    try {
      return sessionStorage.getItem(DISMISSED_KEY) === key;
    } catch (e) {
      return false;
    }
  }

  function showNotice(warnings) {
    var old = document.getElementById(NOTICE_ID);
    if (old) old.remove();
    var key = JSON.stringify(warnings);
    if (!warnings.length || dismissed(key)) return;
    var notice = element(
      "div",
      "position:fixed;right:1rem;bottom:1rem;z-index:2147483646;max-width:36rem;" +
        "padding:.75rem 2.5rem .75rem 1rem;border-radius:6px;background:#fff8e1;color:#3e2723;" +
        "border:1px solid #ffb300;box-shadow:0 2px 8px rgba(0,0,0,.25);" +
        "font:14px/1.5 system-ui,sans-serif;"
    );
    notice.id = NOTICE_ID;
    notice.setAttribute("role", "status");
    notice.appendChild(element("strong", "", "构建警告 · Build warnings"));
    var list = element("ul", "margin:.25rem 0 0;padding-left:1.25rem;");
    warnings.forEach(function (warning) {
      list.appendChild(element("li", "", warning));
    });
    notice.appendChild(list);
    var close = element(
      "button",
      "position:absolute;top:.25rem;right:.5rem;border:0;background:none;font-size:1.25rem;" +
        "cursor:pointer;color:inherit;",
      "×"
    );
    close.type = "button";
    close.setAttribute("aria-label", "关闭 Dismiss");
    close.addEventListener("click", function () {
      notice.remove();
      try {
        sessionStorage.setItem(DISMISSED_KEY, key);
      } catch (e) {
        /* storage may be disabled: dismissing still hides it for this page */
      }
    });
    notice.appendChild(close);
    document.body.appendChild(notice);
  }

  function ownPath() {
    return location.pathname.replace(/\/index\.html$/, "/");
  }

  function sameOriginPath(href) {
    try {
      var url = new URL(href, location.href);
      return url.origin === location.origin ? url.pathname : null;
    } catch (e) {
      return null;
    }
  }

  function loadedPaths() {
    var paths = {};
    performance.getEntriesByType("resource").forEach(function (entry) {
      var path = sameOriginPath(entry.name);
      if (path) paths[path] = true;
    });
    return paths;
  }

  function stylesheetLinks() {
    return Array.prototype.slice.call(document.querySelectorAll('link[rel~="stylesheet"]'));
  }

  // Load the changed sheet under a fresh query, then drop the old <link>: no reload, no
  // flash of unstyled text, and page-level JavaScript state survives.
  function swapLink(link) {
    var url = new URL(link.href, location.href);
    url.searchParams.set("livereload", Date.now());
    var fresh = link.cloneNode(false);
    fresh.href = url.href;
    var done = function () {
      link.remove();
    };
    fresh.addEventListener("load", done);
    fresh.addEventListener("error", done);
    link.parentNode.insertBefore(fresh, link.nextSibling);
  }

  function swapStyles(urls) {
    var links = stylesheetLinks();
    var linked = {};
    links.forEach(function (link) {
      linked[sameOriginPath(link.href)] = link;
    });
    var loaded = loadedPaths();
    var used = urls.filter(function (url) {
      return linked[url] || loaded[url];
    });
    var direct = used.filter(function (url) {
      return linked[url];
    });
    // A changed sheet this page uses but no <link> names is @import-ed: refresh them all.
    var targets = direct.length === used.length
      ? direct.map(function (url) {
          return linked[url];
        })
      : links.filter(function (link) {
          return sameOriginPath(link.href);
        });
    targets.forEach(swapLink);
  }

  // A script, image or other file this page loaded changed (its own URL aside: a
  // refresh fetched it too).
  function loadedChanged(pages) {
    var loaded = loadedPaths();
    var own = ownPath();
    return pages.some(function (page) {
      return page !== own && loaded[page] === true;
    });
  }

  // Scripts a page runs besides this client (JSON-LD is data): such a page is reloaded,
  // as a swapped-in body's scripts would not run.
  function ownScripts(doc) {
    return Array.prototype.filter.call(doc.scripts, function (script) {
      return script.id !== "bulletin-livereload" && script.type !== "application/ld+json";
    }).length;
  }

  function sheets(doc) {
    return Array.prototype.map
      .call(doc.querySelectorAll('link[rel~="stylesheet"]'), function (link) {
        return link.getAttribute("href");
      })
      .join("\n");
  }

  var refreshes = 0;
  var latest = null; // the newest build event: its error and notices are the current ones

  // The page again, swapped in without navigating; anything unexpected reloads instead.
  function refresh(message) {
    if (ownScripts(document)) {
      location.reload();
      return;
    }
    var number = ++refreshes;
    fetch(location.href, { cache: "no-store", credentials: "same-origin" })
      .then(function (response) {
        return response.text();
      })
      .then(function (text) {
        if (number !== refreshes) return; // a newer event's refresh is on its way
        var fresh = new DOMParser().parseFromString(text, "text/html");
        if (!fresh.body || ownScripts(fresh) || sheets(fresh) !== sheets(document)) {
          location.reload();
          return;
        }
        document.title = fresh.title;
        document.body.replaceWith(document.adoptNode(fresh.body));
        decorate(latest); // not this event's state if a newer one came meanwhile
        window.__bulletinLiveHandled = message.version;
      })
      .catch(function () {
        location.reload();
      });
  }

  // A failed build lists no pages, so the overlay stays on the current page; a build
  // that failed only in part (a bad raw bulletin) may still reload: the reloaded page
  // shows the overlay again from its injected state.
  function decorate(message) {
    if (message.error) showError(message.error);
    else hideError();
    showNotice(message.warnings);
  }

  function onBuild(message) {
    latest = message;
    if (message.reload_all || loadedChanged(message.pages)) {
      location.reload();
      return;
    }
    if (message.pages.indexOf(ownPath()) >= 0) {
      refresh(message);
      return;
    }
    decorate(message);
    if (message.styles.length) swapStyles(message.styles);
    window.__bulletinLiveHandled = message.version; // this tab took the build in place
  }

  function connect() {
    // The page it shows: the server lets such tabs fetch a page it published early before
    // starting the build that follows.
    var source = new EventSource(
      live.endpoint +
        "?since=" + encodeURIComponent(live.version) +
        "&page=" + encodeURIComponent(ownPath())
    );
    source.addEventListener("hello", function (event) {
      var hello = JSON.parse(event.data);
      if (hello.server !== live.server) location.reload(); // a restarted server
    });
    source.addEventListener("build", function (event) {
      onBuild(JSON.parse(event.data));
    });
  }

  function start() {
    if (live.error) showError(live.error);
    showNotice(live.warnings);
    connect();
  }

  if (document.body) start();
  else document.addEventListener("DOMContentLoaded", start);
})();
