"""What each input means, as action.yml says it: the CLI's flag help. Generated from action.yml
by scripts/release_action.py --write; a test keeps them equal."""

# ruff: noqa: E501

from __future__ import annotations

# input name -> (description, default as action.yml gives it, or None)
INPUT_HELP: dict[str, tuple[str, str | None]] = {
    "api-key": (
        "Autosana API key, sent as X-API-Key. Pass it from a secret; it is masked in the log. Not needed with results.",
        None,
    ),
    "api-url": (
        "Base URL of the Autosana API (https; plain http only to localhost, a *.localhost name, or a loopback, private or link-local IP address).",
        "https://backend.autosana.ai",
    ),
    "bundle-id": (
        "Mobile app bundle identifier (with platform). Set this or app-id. With build-path it may be left empty; it is read from the build (Info.plist CFBundleIdentifier, the APK's package), and a different value is an input error.",
        None,
    ),
    "platform": (
        "android or ios (or a value starting with them; android-arm64-gplay is deprecated) or chrome-extension, required with bundle-id unless build-path names an .apk (android) or an .ipa, .zip or .app (ios). Leave empty (or web) with app-id.",
        None,
    ),
    "app-id": (
        "Web app identifier. Set this or bundle-id.",
        None,
    ),
    "app-build-id": (
        "Build UUID to pin the run to, instead of the app's active build.",
        None,
    ),
    "suite-ids": (
        "Suite UUIDs to run, separated by commas, spaces or newlines.",
        None,
    ),
    "flow-ids": (
        "Flow UUIDs to run, separated by commas, spaces or newlines.",
        None,
    ),
    "labels": (
        "Flow labels to run, separated by commas or newlines.",
        None,
    ),
    "resolve-suite-context": (
        "With flow-ids, run each flow's suite auth instructions and suite variables first.",
        "true",
    ),
    "suite-overrides": (
        'JSON object mapping a flow UUID that belongs to several suites to the suite UUID to use: {"<flow_id>": "<suite_id>"}.',
        None,
    ),
    "variables": (
        "Build variables, as KEY=VALUE pairs separated by commas or newlines, or a JSON object. Values of keys that look secret are masked in the log and redacted from the reports.",
        None,
    ),
    "pr-variables": (
        "Add PR_NUMBER, BRANCH and COMMIT_SHA from the event; your own variables win on a clash.",
        "true",
    ),
    "web-browser": (
        "For web apps, chrome (default on Autosana), chromium, firefox or edge.",
        None,
    ),
    "wait": (
        "Wait for the results. false starts the flows, sets batch-id and exits.",
        "true",
    ),
    "poll-interval": (
        "Seconds between status polls (at least 0.1; the API asks for 10-15).",
        "10",
    ),
    "timeout-minutes": (
        "The step's time budget in minutes, from the moment the inputs and the build are checked; the upload, the trigger, waiting for the batch and run details all end by then (result timed_out), and reporting to GitHub gets 60 s more.",
        "60",
    ),
    "fail-on": (
        "Run statuses that fail the step, comma-separated (failed, error, terminated, skipped), or none. A skipped run without a passing retry is a setup failure; failed,error,terminated lets it pass.",
        "failed,error,terminated,skipped",
    ),
    "github-token": (
        "Token for the PR comment and check run.",
        "${{ github.token }}",
    ),
    "comment-mode": (
        "When to post the sticky PR comment, always, failures or off.",
        "always",
    ),
    "check-name": (
        "Name of the check run, and the key of the sticky comment (use one per matrix job).",
        "Autosana",
    ),
    "check-run": (
        "Create a check run with the results.",
        "true",
    ),
    "job-summary": (
        "Write the results to the job summary.",
        "true",
    ),
    "base-history": (
        "On a pull request, compare each failing flow with this many recent commits of the base branch (read from this action's own check runs there; at most this many plus one GitHub reads). 0 turns the comparison off. At most 100.",
        "10",
    ),
    "base-failures-as-warnings": (
        "When every run that did not pass is a plain failure that also fails on the base branch's latest run, pass the check with warnings instead of failing it. The report says when this was used; a merged report's verdict never changes.",
        "false",
    ),
    "progress-comment": (
        "Show the running state (finished/total, failures so far) in the sticky PR comment while the flows run, not only in the check run. The comment is edited in place (created once).",
        "false",
    ),
    "junit-path": (
        "Write the results as JUnit XML to this path, relative to the workspace.",
        None,
    ),
    "pr-number": (
        "Pull request to comment on, instead of the one the event names.",
        None,
    ),
    "commit-sha": (
        "Commit for the check run, COMMIT_SHA and the flows' ref, instead of the one the event names (full SHA).",
        None,
    ),
    "on-fork": (
        "On a fork's pull_request, which GitHub runs without secrets (so api-key is empty): fail (say so and fail the step) or skip (exit 0 with a notice, result skipped_fork).",
        "fail",
    ),
    "build-path": (
        "Build to upload first, relative to the workspace (a glob must match exactly one file). android .apk (an .aab is refused; make a universal .apk with bundletool); ios .ipa (real device), zipped .app or .app directory (simulator); chrome-extension .zip. Checked before any request. The upload makes it the app's active build for the whole workspace; the flows then run on this build.",
        None,
    ),
    "url": (
        "Web only, with app-id. The http(s) URL to register and test, e.g. a preview deployment.",
        None,
    ),
    "name": (
        "App display name sent with the build; it creates or renames the app. Not sent when empty.",
        None,
    ),
    "environment": (
        "Environment name; apps with the same bundle id or app id in different environments are different apps. Ignored for chrome-extension.",
        None,
    ),
    "dependencies": (
        'Web only. JSON array of app UUIDs or {"app_id": "<uuid>", "app_build_id": "<uuid>"} objects to load with the app; [] for none.',
        None,
    ),
    "enable-ios-keychain-access-group-remapping": (
        "true or false, .ipa only. Empty keeps the app's saved preference.",
        None,
    ),
    "redact": (
        "Values to hide, one per line; replaced by *** in everything the action writes, and masked in the log.",
        None,
    ),
    "artifact-links": (
        "Signed screenshot, log and performance URLs in the comment, check run and summary, auto (only for private and internal repositories), always or never.",
        "auto",
    ),
    "read-logs": (
        "How many failing runs to read the device and network logs of (a few MiB of each log's tail), to show the crash and the failed requests in the report; 0 reads none.",
        "10",
    ),
    "run-changed-flows": (
        "Also run the code-managed flows the pull request adds or edits, in the same batch as any selectors. With no selectors and nothing changed, the step is a green skip.",
        "true",
    ),
    "flow-keys": (
        "Code-managed flow keys to run (e.g. auth/login), separated by commas or newlines. Not with flow-ids, suite-ids or labels.",
        None,
    ),
    "suite-keys": (
        "Code-managed suite keys to run, separated by commas or newlines. Not with flow-ids, suite-ids or labels.",
        None,
    ),
    "folder-paths": (
        "Folders below .autosana/ whose code-managed flows run (e.g. auth, checkout/guest), separated by commas or newlines; sent as folder_paths. May go with flow-keys and suite-keys, not with flow-ids, suite-ids or labels.",
        None,
    ),
    "location": (
        "Mobile runs only, a two-letter ISO country code (e.g. US, DE), sent to Autosana as location with the run.",
        None,
    ),
    "branch-name": (
        "Branch shown in the report and sent as BRANCH, instead of the one the event names.",
        None,
    ),
    "repo-full-name": (
        "Repository (owner/name) Autosana resolves flows in, instead of the one the workflow runs in.",
        None,
    ),
    "physical-device": (
        "Mobile only. Run on a real device (true) or a virtual one (false).",
        "false",
    ),
    "device-model": (
        "Mobile only. Device model, e.g. Pixel 10 Pro; latest or empty for rolling selection.",
        None,
    ),
    "os-version": (
        "Mobile only. OS version, e.g. 17; latest or empty for rolling selection.",
        None,
    ),
    "devices": (
        'Mobile only. Run on two devices: a JSON array of exactly two {"physical": bool, "model": str, "os_version": str} objects (model and os_version optional). Not with physical-device true, device-model or os-version.',
        None,
    ),
    "report-to-github": (
        "Let Autosana's GitHub App also report (its own PR comment, and a check with wait false). auto = only when this action does not post its comment (comment-mode off, or wait false); true or false to choose.",
        "auto",
    ),
    "target-name": (
        "Name of this job's section when a later job merges the results (e.g. the matrix entry's name). Defaults to platform, app and browser.",
        None,
    ),
    "results": (
        "Merge instead of run. A glob, relative to the workspace, of autosana-results.json files from matrix jobs; posts one comment and one check run for all of them. Starts no flows. With api-key each target's batch is verified with Autosana; without it the report says the results were not verified.",
        None,
    ),
    "expected-targets": (
        "With results, the target-name of every matrix job (separated by commas or newlines), or their number; a job whose results file is missing is then reported as missing, not left out.",
        None,
    ),
    "allow-other-commits": (
        "With results, merge files written for another commit instead of refusing them.",
        "false",
    ),
}
