// The ALTCHA widget (vendor/altcha.min.js, its build without inline styles or bundled
// workers, so the strict Content-Security-Policy holds): register its PBKDF2 worker from
// our own static folder and give it the gallery's translated strings
// (templates/_challenge.html). A module script, so it runs after the widget's.
const box = document.querySelector("[data-challenge]");
const registry = globalThis.$altcha;
if (box && registry) {
  const worker = box.dataset.worker;
  for (const name of ["PBKDF2/SHA-256", "PBKDF2/SHA-384", "PBKDF2/SHA-512"]) {
    registry.algorithms.set(name, () => new Worker(worker));
  }
  const m = box.dataset;
  const language = document.documentElement.lang || "en";
  registry.i18n.set(language, {
    // Strings of features not used here (code and audio challenges) stay in English.
    ...(registry.i18n.get ? registry.i18n.get("en") : {}),
    label: m.msgLabel,
    loading: m.msgLoading,
    reload: m.msgReload,
    verify: m.msgVerify,
    verifying: m.msgVerifying,
    verified: m.msgVerified,
    error: m.msgError,
    expired: m.msgExpired,
    waitAlert: m.msgWait,
    verificationRequired: m.msgRequired,
    footer: "",
  });
  for (const widget of box.querySelectorAll("altcha-widget")) {
    widget.setAttribute("language", language);
  }
}
