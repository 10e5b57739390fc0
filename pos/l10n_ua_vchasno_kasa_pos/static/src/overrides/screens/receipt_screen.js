import { ReceiptScreen } from "@point_of_sale/app/screens/receipt_screen/receipt_screen";
import { patch } from "@web/core/utils/patch";
import { useState } from "@odoo/owl";
import { _t } from "@web/core/l10n/translation";

/**
 * The customer's email / phone and consent, taken at the counter: the
 * server checks them with the back office's rules and Vchasno sends the
 * fiscal receipt (with the request if it is not sent yet, else at once).
 */
patch(ReceiptScreen.prototype, {
    setup() {
        super.setup(...arguments);
        const partner = this.currentOrder.get_partner();
        this.vchasnoContact = useState({
            email: partner?.email || "",
            phone: partner?.mobile || partner?.phone || "",
            consent: false,
            busy: false,
            message: "",
            error: false,
        });
    },
    get vchasnoCanSend() {
        const order = this.currentOrder;
        return (
            this.pos.config.vchasno_active &&
            typeof order.id === "number" &&
            order.vchasnoFiscalizable()
        );
    },
    get vchasnoConsentOnRecord() {
        const partner = this.currentOrder.get_partner();
        const { email, phone } = this.vchasnoContact;
        return Boolean(
            partner &&
                (!email || partner.vchasno_consent_email) &&
                (!phone || partner.vchasno_consent_sms)
        );
    },
    async vchasnoSend() {
        const state = this.vchasnoContact;
        state.busy = true;
        state.message = "";
        try {
            const result = await this.pos.data.call(
                "pos.order",
                "vchasno_pos_deliver",
                [[this.currentOrder.id]],
                { email: state.email, phone: state.phone, consent: state.consent }
            );
            state.error = false;
            state.message = result.message;
        } catch (error) {
            state.error = true;
            state.message = error.data?.message || _t("The fiscal receipt could not be sent.");
        } finally {
            state.busy = false;
        }
    },
});
