"""The first stage: upload the PR's own build (or register its preview URL) before the trigger."""
