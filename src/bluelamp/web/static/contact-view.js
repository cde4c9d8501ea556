// The contact view's answers form: POST /api/v1/contacts/{id}/answers (triage runs again), then reload.
(function () {
  "use strict";
  const form = document.getElementById("answers-form");
  if (!form) return;
  const status = document.getElementById("answers-status");
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const answers = {};
    for (const [k, v] of new FormData(form).entries()) if (v === "yes" || v === "no") answers[k] = v === "yes";
    if (!Object.keys(answers).length) { status.textContent = "Choose yes or no for at least one question."; return; }
    const button = document.getElementById("answers-save");
    button.disabled = true; status.textContent = "Recording…";
    try {
      const res = await fetch(`/api/v1/contacts/${form.dataset.contact}/answers`, { method: "POST",
        headers: { "Content-Type": "application/json" }, body: JSON.stringify(answers), credentials: "same-origin" });
      if (res.ok) { window.location.reload(); return; }
      const body = await res.json().catch(() => ({}));
      status.textContent = "Not recorded: " + (typeof body.detail === "string" ? body.detail : res.status);
    } catch (err) { status.textContent = "Not recorded: the server did not answer."; }
    button.disabled = false;
  });
})();
