import { Component, useState } from "@odoo/owl";
import { Dialog } from "@web/core/dialog/dialog";

/**
 * The card data (ЕПЗ) of a payment made on a standalone terminal, copied
 * from its slip for the fiscal receipt. Every field is optional; "Skip"
 * leaves the payment without them.
 */
export class VchasnoCardDataPopup extends Component {
    static template = "l10n_ua_vchasno_kasa_pos.VchasnoCardDataPopup";
    static components = { Dialog };
    static props = {
        methodName: String,
        amount: String,
        getPayload: Function,
        close: Function,
    };

    setup() {
        this.state = useState({
            card_no: "",
            card_brand: "",
            payment_ref_no: "",
            payment_method_authcode: "",
            vchasno_terminal_id: "",
        });
    }
    confirm() {
        const payload = {};
        for (const [key, value] of Object.entries(this.state)) {
            if (value.trim()) {
                payload[key] = value.trim();
            }
        }
        this.props.getPayload(Object.keys(payload).length ? payload : null);
        this.props.close();
    }
    skip() {
        this.props.getPayload(null);
        this.props.close();
    }
}
