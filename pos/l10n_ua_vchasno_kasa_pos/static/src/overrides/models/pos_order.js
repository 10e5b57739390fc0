import { PosOrder } from "@point_of_sale/app/models/pos_order";
import { patch } from "@web/core/utils/patch";
import { qrCodeSrc } from "@point_of_sale/utils";

/**
 * The ticket of a fiscalized Point of Sale: the fiscal data of the order's
 * Vchasno receipt (``uiState.vchasno``, filled in the background by
 * ``PosStore.vchasnoWatch``) or, until they arrive, the line saying that
 * the fiscal receipt follows. The ticket re-renders when they arrive.
 */
patch(PosOrder.prototype, {
    export_for_printing(baseUrl, headerData) {
        const result = super.export_for_printing(...arguments);
        if (this.config.vchasno_active && this.vchasnoFiscalizable()) {
            const fiscal = this.uiState.vchasno || {};
            const done = fiscal.state === "done";
            result.vchasno = {
                done,
                is_return: fiscal.kind === "return",
                fiscal_number: done ? fiscal.fiscal_number : false,
                register_fiscal_id: done ? fiscal.register_fiscal_id : false,
                fiscal_date: done ? fiscal.fiscal_date : false,
                is_test: done && fiscal.is_test,
                is_offline: done && fiscal.is_offline,
                qr_src: done && fiscal.qr ? qrCodeSrc(fiscal.qr) : false,
            };
        }
        return result;
    },
    /** Money changed hands: the order gets (or has) a fiscal receipt. */
    vchasnoFiscalizable() {
        return this.uiState.vchasno?.state !== "none" && this.get_total_paid() !== 0;
    },
});
