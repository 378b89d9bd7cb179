"""The demo's data: three suites (one flow fails on purpose, one passes on a retry), the demo
pull request's commit and the code-managed flows it changes, and made-up groups for any other ID."""

from __future__ import annotations

import hashlib

from .plans import FlowPlan, GroupPlan

DEMO_SUITES: dict[str, GroupPlan] = {
    "11111111-1111-4111-8111-111111111111": GroupPlan(
        "Login Suite",
        [
            FlowPlan(
                "Login with valid credentials",
                "passed",
                1.5,
                "Signed in as the demo user and verified the dashboard loaded with the greeting.",
            ),
            FlowPlan(
                "Login with wrong password",
                "passed",
                2.0,
                "Entered a wrong password; the inline error 'Incorrect password' appeared and no session started.",
            ),
            FlowPlan(
                "Password reset email",
                "passed",
                3.0,
                "Requested a reset link; the confirmation screen appeared with the masked address.",
            ),
        ],
    ),
    "22222222-2222-4222-8222-222222222222": GroupPlan(
        "Checkout Suite",
        [
            FlowPlan(
                "Checkout with saved card",
                "passed",
                2.5,
                "Added two items, paid with the saved Visa, and saw the order confirmation number.",
            ),
            FlowPlan(
                "Checkout with expired card",
                "failed",
                3.5,
                "Expected the error 'Your card has expired' after tapping Pay, but the spinner never "
                "stopped and no message appeared within 30 s.",
            ),
            FlowPlan(
                "Apply promo code SPRING",
                "passed",
                2.0,
                "The promo code reduced the total by 10% and the new total was shown.",
            ),
        ],
    ),
    "33333333-3333-4333-8333-333333333333": GroupPlan(
        "Onboarding",
        [
            FlowPlan(
                "First launch walkthrough",
                "passed",
                1.0,
                "Swiped through the four onboarding cards and reached the sign-up screen.",
            ),
            # A first attempt Autosana skipped and retried; the passing retry is what counts.
            FlowPlan("Push notification prompt", "skipped", 0.5, "Skipped: the device was not ready; retrying."),
            FlowPlan(
                "Push notification prompt",
                "passed",
                2.0,
                "The permission prompt appeared on the retry and notifications were allowed.",
            ),
        ],
    ),
}
# The demo's second job: the shop's web app, whose order request fails with a 500.
DEMO_WEB_SUITE = "44444444-4444-4444-8444-444444444444"
DEMO_WEB_PLAN = GroupPlan(
    "Web Checkout",
    [
        FlowPlan("Browse the catalogue", "passed", 1.5, "Opened the catalogue and filtered by category."),
        FlowPlan(
            "Place an order in the browser",
            "failed",
            2.5,
            "Clicked 'Place order'; the page showed a blank total and no confirmation appeared.",
        ),
    ],
)
# The demo pull request's commit, and the code-managed flows it adds or edits.
DEMO_COMMIT = "4f2a9c1e8b7d6a5f4e3d2c1b0a9f8e7d6c5b4a39"
DEMO_CHANGED_FLOWS: dict[str, FlowPlan] = {
    "auth/sign-in-with-apple": FlowPlan(
        "Sign in with Apple (new in this PR)",
        "passed",
        2.5,
        "Tapped 'Sign in with Apple', approved the sheet and landed on the dashboard.",
    ),
    "checkout/gift-card": FlowPlan(
        "Pay with a gift card (edited in this PR)",
        "passed",
        3.0,
        "Redeemed the gift card; the balance covered the order and the confirmation appeared.",
    ),
}
_GENERATED_NAMES = [
    "Smoke Suite",
    "Search",
    "Profile",
    "Settings",
    "Notifications",
    "Payments",
    "Cart",
    "Feed",
]
_GENERATED_FLOWS = [
    "Open the app",
    "Search for an item",
    "Edit the profile name",
    "Toggle dark mode",
    "Open a notification",
    "Add to cart",
    "Scroll the feed",
    "Sign out",
]


def generated_plan(key: str, duration: float = 1.0) -> GroupPlan:
    """A deterministic, all-passing group for any ID the test did not plan."""
    digest = hashlib.sha256(key.encode()).digest()
    name = _GENERATED_NAMES[digest[0] % len(_GENERATED_NAMES)]
    count = 2 + digest[1] % 3
    flows = [
        FlowPlan(
            _GENERATED_FLOWS[(digest[2] + i) % len(_GENERATED_FLOWS)],
            "passed",
            duration * (0.5 + (digest[3 + i] % 50) / 50),
            "Completed every step as instructed.",
        )
        for i in range(count)
    ]
    return GroupPlan(name, flows)
