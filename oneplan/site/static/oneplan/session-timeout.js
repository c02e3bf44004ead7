// Warns a signed-in person shortly before their session ends for inactivity, and lets
// them stay signed in. Progressive enhancement: without JavaScript, the line above the
// page says when the session ends, and the sign-in page says why it did
// (oneplan/site/sessions.py). Activity in any tab counts: each page load and each htmx
// request notes the time in localStorage, which every tab of the service reads.
const WARN_BEFORE_MS = 2 * 60 * 1000;
// The browser drops the session cookie a moment after the server's idle time; going to
// the sign-in page a little later makes sure it has, so the visit cannot restart it.
const GRACE_MS = 5 * 1000;
const STORAGE_KEY = "oneplan.lastActivity";

const root = document.querySelector('[data-module="app-session-timeout"]');

function start(element) {
  const idleMs = Number(element.dataset.idleSeconds) * 1000;
  const keepAliveUrl = element.dataset.keepAliveUrl;
  const signInUrl = element.dataset.signInUrl;
  const warning = element.querySelector("[data-session-timeout-warning]");
  const stay = element.querySelector("[data-session-timeout-stay]");
  if (!idleMs || !keepAliveUrl || !signInUrl || !warning || !stay) return;
  let lastActivity = Date.now();
  let timer = null;

  function stored() {
    try {
      return Number(window.localStorage.getItem(STORAGE_KEY)) || 0;
    } catch {
      return 0;
    }
  }

  function noteActivity() {
    lastActivity = Date.now();
    try {
      window.localStorage.setItem(STORAGE_KEY, String(lastActivity));
    } catch {
      // Storage may be switched off: this tab still keeps its own time.
    }
    schedule();
  }

  function signIn() {
    const next = window.location.pathname + window.location.search;
    window.location.assign(`${signInUrl}?next=${encodeURIComponent(next)}`);
  }

  function schedule() {
    window.clearTimeout(timer);
    const endsAt = Math.max(lastActivity, stored()) + idleMs;
    const now = Date.now();
    if (now >= endsAt + GRACE_MS) {
      signIn();
      return;
    }
    if (now >= endsAt - WARN_BEFORE_MS) {
      warning.hidden = false;
      timer = window.setTimeout(schedule, Math.min(endsAt + GRACE_MS - now, 15 * 1000));
      return;
    }
    warning.hidden = true;
    timer = window.setTimeout(schedule, endsAt - WARN_BEFORE_MS - now);
  }

  stay.addEventListener("click", async () => {
    try {
      const response = await fetch(keepAliveUrl, {
        credentials: "same-origin",
        redirect: "manual",
        headers: { Accept: "text/html" },
      });
      if (response.status === 204) {
        noteActivity();
        return;
      }
    } catch {
      // Offline or refused: the sign-in page explains.
    }
    signIn();
  });
  document.body.addEventListener("htmx:afterRequest", noteActivity);
  window.addEventListener("storage", (event) => {
    if (event.key === STORAGE_KEY) schedule();
  });
  noteActivity();
}

if (root) start(root);
