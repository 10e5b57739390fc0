/**
 * A cashier at a fiscalized Point of Sale (tests/test_pos_tours.py checks
 * the records and the emulator after each tour):
 *
 * - vchasno_pos_sell: sell one product in cash, then one by card (the card
 *   data popup of a standalone terminal filled in); each ticket shows the
 *   fiscal number, the register's fiscal id and the date once Vchasno has
 *   answered, without the cashier doing anything.
 * - vchasno_pos_refund: refund the cash sale from the order list; the ticket
 *   shows the fiscal return receipt.
 */
import * as Chrome from "@point_of_sale/../tests/tours/utils/chrome_util";
import * as Order from "@point_of_sale/../tests/tours/utils/generic_components/order_widget_util";
import * as PaymentScreen from "@point_of_sale/../tests/tours/utils/payment_screen_util";
import * as ProductScreen from "@point_of_sale/../tests/tours/utils/product_screen_util";
import * as ReceiptScreen from "@point_of_sale/../tests/tours/utils/receipt_screen_util";
import * as TicketScreen from "@point_of_sale/../tests/tours/utils/ticket_screen_util";
import { inLeftSide } from "@point_of_sale/../tests/tours/utils/common";
import { registry } from "@web/core/registry";

// The receipt screen shows at once; the fiscal data follow (the server
// sends the receipt on the Point of Sale's follow-up call).
const FISCAL_WAIT_MS = 30000;

function fiscalTicket(title) {
    return [
        {
            content: "the ticket shows the fiscal number once Vchasno has answered",
            trigger: ".receipt-screen .pos-receipt .vchasno-fiscal .vchasno-fiscal-number:not(:empty)",
            timeout: FISCAL_WAIT_MS,
        },
        {
            content: `the ticket says: ${title}`,
            trigger: `.receipt-screen .pos-receipt .vchasno-fiscal div:contains("${title}")`,
        },
        {
            content: "and the register's fiscal id",
            trigger: ".receipt-screen .pos-receipt .vchasno-register-fiscal-id:not(:empty)",
        },
        {
            content: "and the fiscal date and time (Kyiv)",
            trigger: ".receipt-screen .pos-receipt .vchasno-fiscal-date:not(:empty)",
        },
        {
            content: "and no line saying that the fiscal receipt follows",
            trigger: ".receipt-screen .pos-receipt:not(:has(.vchasno-pending))",
        },
    ];
}

function sell(product, method) {
    return [
        ProductScreen.clickDisplayedProduct(product),
        ProductScreen.clickPayButton(),
        PaymentScreen.clickPaymentMethod(method),
        PaymentScreen.clickValidate(),
    ].flat();
}

registry.category("web_tour.tours").add("vchasno_pos_sell", {
    steps: () =>
        [
            Chrome.startPoS(),
            // Cash: 1 x Кава зернова 120.00.
            sell("Кава зернова", "Готівка"),
            ReceiptScreen.receiptIsThere(),
            fiscalTicket("Fiscal receipt"),
            ReceiptScreen.clickNextOrder(),
            // Card on a standalone terminal: the cashier copies the slip.
            sell("Хліб", "Картка"),
            {
                content: "the card data popup asks for the slip's data",
                trigger: ".modal .vchasno-card-no",
                run: "edit 4111111111111111",
            },
            { trigger: ".modal .vchasno-card-brand", run: "edit VISA" },
            { trigger: ".modal .vchasno-rrn", run: "edit 123456789012" },
            { trigger: ".modal .vchasno-auth-code", run: "edit A1B2C3" },
            { trigger: ".modal .vchasno-terminal-id", run: "edit T1234567" },
            { trigger: ".modal .vchasno-card-save", run: "click" },
            ReceiptScreen.receiptIsThere(),
            fiscalTicket("Fiscal receipt"),
            ReceiptScreen.clickNextOrder(),
            Chrome.endTour(),
        ].flat(),
});

registry.category("web_tour.tours").add("vchasno_pos_refund", {
    steps: () =>
        [
            Chrome.startPoS(),
            ...ProductScreen.clickRefund(),
            TicketScreen.selectOrder("-0001"),
            inLeftSide(Order.hasLine({ productName: "Кава зернова", withClass: ".selected" })),
            ProductScreen.clickNumpad("1"),
            TicketScreen.confirmRefund(),
            ProductScreen.isShown(),
            ProductScreen.clickPayButton(),
            PaymentScreen.clickPaymentMethod("Готівка"),
            PaymentScreen.clickValidate(),
            ReceiptScreen.receiptIsThere(),
            fiscalTicket("Fiscal return receipt"),
            ReceiptScreen.clickNextOrder(),
            Chrome.endTour(),
        ].flat(),
});
