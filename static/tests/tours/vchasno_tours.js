/**
 * Browser tours of a cashier's and an accountant's day (issue 13), run by
 * tests/test_tours.py in headless Chromium. Selectors are field/button names
 * and our own classes, never labels, except where a tour checks the language.
 */
import { registry } from "@web/core/registry";
import {
    closeFrame,
    frameReceiptIds,
    frameShowsFiscalNumber,
    frameText,
    printInFrame,
    readReceipts,
    screenshot,
    waitFor,
} from "./vchasno_tour_utils";

const tours = registry.category("web_tour.tours");

const REGISTER_PAYMENT =
    ".o_form_view .o_statusbar_buttons button[name='action_register_payment']";
const CREATE_PAYMENTS = ".modal button[name='action_create_payments']";
const PRINT_TICKED = ".modal div[name='vchasno_print'] input:checked";
// Steps right after a server round trip (a dialog, a saved payment) may wait
// longer than the default 10 s on a busy CI machine.
const SLOW = 45000;

/** Register Payment from the open invoice, "print" ticked, receipt page. */
function payAndPrint(shot) {
    return [
        { trigger: REGISTER_PAYMENT, run: "click" },
        { trigger: PRINT_TICKED, timeout: SLOW },
        ...(shot ? [screenshot("payment_dialog")] : []),
        printInFrame(),
        { trigger: CREATE_PAYMENTS, run: "click" },
        frameShowsFiscalNumber(),
        ...(shot ? [screenshot("receipt_page")] : []),
        closeFrame(),
    ];
}

tours.add("vchasno_payment_print", {
    steps: () => payAndPrint(true),
});

/** The same flow in Ukrainian: the labels a cashier reads are Ukrainian. */
tours.add("vchasno_payment_print_uk", {
    steps: () => [
        { trigger: REGISTER_PAYMENT, run: "click" },
        { trigger: ".modal label:contains('Друкувати фіскальний чек')", timeout: SLOW },
        { trigger: ".modal label:contains('Касир')" },
        printInFrame(),
        { trigger: CREATE_PAYMENTS, run: "click" },
        frameShowsFiscalNumber(),
        { trigger: ":iframe .o_vk_receipt:contains('Фіскальний номер')" },
        closeFrame(),
    ],
});

/** No consent to email: the dialog asks; "Customer agrees: send". */
tours.add("vchasno_consent_dialog", {
    steps: () => [
        { trigger: REGISTER_PAYMENT, run: "click" },
        { trigger: PRINT_TICKED, timeout: SLOW },
        printInFrame(),
        { trigger: CREATE_PAYMENTS, run: "click" },
        { trigger: ".modal button[name='action_grant_and_send']", timeout: SLOW },
        screenshot("delivery_consent_dialog"),
        { trigger: ".modal button[name='action_grant_and_send']", run: "click" },
        frameShowsFiscalNumber(),
        closeFrame(),
    ],
});

/** No email on the customer: the dialog asks for one and saves it. */
tours.add("vchasno_missing_contact_dialog", {
    steps: () => [
        { trigger: REGISTER_PAYMENT, run: "click" },
        { trigger: PRINT_TICKED, timeout: SLOW },
        printInFrame(),
        { trigger: CREATE_PAYMENTS, run: "click" },
        {
            trigger: ".modal div[name='email'] input",
            run: "edit not-an-email && press Tab",
            timeout: SLOW,
        },
        { trigger: ".modal div[role='alert'] div[name='email_error']", timeout: SLOW },
        { trigger: ".modal div[name='email'] input", run: "edit iryna@example.com && press Tab" },
        { trigger: ".modal:not(:has(div[name='email_error']))", timeout: SLOW },
        { trigger: ".modal div[name='save_to_partner'] input:checked" },
        screenshot("delivery_missing_contact_dialog"),
        { trigger: ".modal button[name='action_send']", run: "click" },
        frameShowsFiscalNumber(),
        closeFrame(),
    ],
});

/** Credit note of a paid invoice, refunded: a return receipt is printed. */
tours.add("vchasno_credit_note_refund", {
    steps: () => [
        { trigger: ".o_form_view button[name='action_reverse']", run: "click" },
        { trigger: ".modal button[name='refund_moves']", run: "click", timeout: SLOW },
        {
            trigger: ".o_form_view .o_statusbar_buttons button[name='action_post']",
            run: "click",
            timeout: SLOW,
        },
        ...payAndPrint(false).slice(0, 2),
        screenshot("refund_dialog"),
        ...payAndPrint(false).slice(2),
    ],
});

/**
 * X (or Z) report from the register form: the record shows the totals, and
 * its printed page shows the same sales and returns totals (Vchasno's
 * report_totals), not "Total 0.00".
 */
function reportSteps(button, shot) {
    return [
        { trigger: `.o_form_view .o_statusbar_buttons button[name='${button}']`, run: "click" },
        ...(button === "action_z_report"
            ? [{ trigger: ".modal-footer .btn-primary", run: "click" }]
            : []),
        { trigger: ".o_form_view .o_notebook a[name='report_totals']", run: "click", timeout: SLOW },
        { trigger: ".o_form_view div[name='report_html'] .o_vchasno_totals", timeout: SLOW },
        screenshot(`${shot}_record`),
        printInFrame(),
        { trigger: ".o_form_view button[name='action_open_receipt']", run: "click" },
        {
            content: "the printed report shows the record's sales and returns totals",
            trigger: ":iframe .o_vk_receipt",
            timeout: 15000,
            async run() {
                const [report] = await readReceipts(frameReceiptIds(), ["report_totals"]);
                const summary = (report.report_totals || {}).summary || {};
                // Vchasno's summary has no total: sales and returns are the
                // receipt sums minus the whole-receipt discounts.
                const amounts = ["p", "m"].map((sign) =>
                    (
                        Number(summary[`base_${sign}`] || 0) -
                        Number(summary[`disc_${sign}`] || 0)
                    ).toFixed(2)
                );
                await waitFor(
                    () =>
                        amounts.every((amount) => frameText().includes(amount)) &&
                        !/Total\s*0\.00/.test(frameText()),
                    `printed totals ${amounts} on the report page`,
                    10000
                );
            },
        },
        screenshot(`${shot}_printed`),
        closeFrame(),
    ];
}

tours.add("vchasno_x_report", { steps: () => reportSteps("action_x_report", "x_report") });
tours.add("vchasno_z_report", { steps: () => reportSteps("action_z_report", "z_report") });

/** The user menu switches English -> Ukrainian in one click. */
tours.add("vchasno_language_switch", {
    steps: () => [
        { trigger: ".o_user_menu button", run: "click" },
        {
            content: "switch to Ukrainian: the page reloads",
            trigger: ".dropdown-item[data-menu='vchasno_language_switch']:contains('Українська')",
            run: "click",
            expectUnloadPage: true,
        },
        { trigger: ".o_user_menu button", run: "click", timeout: SLOW },
        { trigger: ".dropdown-item[data-menu='vchasno_language_switch']:contains('English')" },
        screenshot("language_switch"),
    ],
});

/**
 * Issue 13, points 1 and 5: the payment says why its receipt is not issued;
 * "Reset To Draft" asks first and says what happens at Vchasno.
 */
tours.add("vchasno_payment_status_and_reset", {
    steps: () => [
        {
            content: "the payment says why the receipt waits",
            trigger: ".o_form_view .alert-warning div[name='vchasno_status_message']",
            timeout: SLOW,
        },
        screenshot("payment_status"),
        {
            trigger: ".o_form_view .o_statusbar_buttons button[name='action_vchasno_confirm_draft']",
            run: "click",
        },
        {
            content: "the dialog says what happens before anything is done",
            trigger: ".modal div[name='summary']",
            timeout: SLOW,
        },
        screenshot("reset_confirm"),
        { trigger: ".modal button[name='action_confirm']:visible", run: "click" },
        {
            trigger: ".o_form_view .o_statusbar_buttons button[name='action_post']",
            timeout: SLOW,
        },
    ],
});

/** Issue 13, point 10: the daily reconciliation lists what lacks a receipt. */
tours.add("vchasno_reconciliation", {
    steps: () => [
        { trigger: ".o_list_view .o_group_header", run: "click", timeout: SLOW },
        { trigger: ".o_list_view td[name='issue']", timeout: SLOW },
        screenshot("reconciliation"),
    ],
});
