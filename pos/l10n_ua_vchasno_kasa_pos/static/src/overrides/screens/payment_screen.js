import { PaymentScreen } from "@point_of_sale/app/screens/payment_screen/payment_screen";
import { makeAwaitable } from "@point_of_sale/app/store/make_awaitable_dialog";
import { patch } from "@web/core/utils/patch";
import { VchasnoCardDataPopup } from "@l10n_ua_vchasno_kasa_pos/app/card_data_popup/card_data_popup";
import { WATCH_MS } from "@l10n_ua_vchasno_kasa_pos/overrides/store/pos_store";

patch(PaymentScreen.prototype, {
    async _isOrderValid(isForceValidate) {
        const valid = await super._isOrderValid(...arguments);
        if (!valid || !this.pos.config.vchasno_active) {
            return valid;
        }
        // A standalone card terminal: the cashier may copy the slip's card
        // data (ЕПЗ) for the fiscal receipt, or skip.
        for (const line of this.paymentLines) {
            if (line.payment_method_id.vchasno_ask_card_data && !line.card_no && line.amount > 0) {
                const payload = await makeAwaitable(this.dialog, VchasnoCardDataPopup, {
                    methodName: line.payment_method_id.name,
                    amount: this.env.utils.formatCurrency(line.amount),
                });
                if (payload) {
                    line.update(payload);
                }
            }
        }
        return true;
    },
    async afterOrderValidation() {
        // With "Print the fiscal receipt automatically", Odoo's automatic
        // printing waits for the fiscal data (PosStore.printReceipt); the
        // receipt screen shows at once all the same.
        const order = this.currentOrder;
        if (this.pos.vchasnoPrintsFiscal(order)) {
            order.uiState.vchasnoPrintHeld = true;
            this.pos.vchasnoHoldPrint = order.uuid;
            // Offline, or no answer at all: print what there is, the ticket
            // says that the fiscal receipt follows.
            setTimeout(() => this.pos.vchasnoPrintIfHeld(order), WATCH_MS + 2000);
        }
        try {
            return await super.afterOrderValidation(...arguments);
        } finally {
            this.pos.vchasnoHoldPrint = null;
            if (order.uiState.vchasno && !this.pos.vchasnoWatching?.has(order.uuid)) {
                // The fiscal data came before the screen: print now.
                await this.pos.vchasnoPrintIfHeld(order);
            }
        }
    },
});
