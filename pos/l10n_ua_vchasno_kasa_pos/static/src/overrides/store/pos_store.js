import { PosStore } from "@point_of_sale/app/store/pos_store";
import { patch } from "@web/core/utils/patch";
import { _t } from "@web/core/l10n/translation";

// The follow-up of a synced order: ask the server once to send its waiting
// receipt (short timeout), then read its state every POLL_MS until it is
// final or WATCH_MS have passed. Never awaited by the sale: the cashier goes
// on, the ticket updates itself when the fiscal data arrive.
const POLL_MS = 1500;
export const WATCH_MS = 15000;
const FINAL_STATES = ["done", "error", "cancelled", "none"];

patch(PosStore.prototype, {
    postSyncAllOrders(orders) {
        super.postSyncAllOrders(...arguments);
        if (!this.config.vchasno_active) {
            return;
        }
        for (const order of orders || []) {
            if (order.finalized && typeof order.id === "number") {
                this.vchasnoWatch(order);
            }
        }
    },
    vchasnoOrder(uuid) {
        return this.models["pos.order"].getBy("uuid", uuid);
    },
    async vchasnoWatch(order) {
        const uuid = order.uuid;
        this.vchasnoWatching ||= new Set();
        if (this.vchasnoWatching.has(uuid) || FINAL_STATES.includes(order.uiState.vchasno?.state)) {
            return;
        }
        this.vchasnoWatching.add(uuid);
        const deadline = Date.now() + WATCH_MS;
        let send = true;
        try {
            while (true) {
                const data = await this.data.call(
                    "pos.order",
                    "vchasno_pos_fiscal_data",
                    [[order.id]],
                    { send }
                );
                send = false;
                const fiscal = data?.[order.id];
                const current = this.vchasnoOrder(uuid) || order;
                if (fiscal) {
                    current.uiState.vchasno = fiscal;
                }
                if (!fiscal || FINAL_STATES.includes(fiscal.state) || Date.now() > deadline) {
                    if (fiscal?.state === "error") {
                        this.notification.add(
                            _t("Fiscal receipt refused: %s", fiscal.error || ""),
                            { type: "warning" }
                        );
                    }
                    break;
                }
                await new Promise((resolve) => setTimeout(resolve, POLL_MS));
            }
        } catch (error) {
            // Offline or refused: the ticket says the fiscal receipt follows;
            // it is sent by the server's queue and can be reprinted there.
            console.warn("Vchasno: no fiscal data for", uuid, error);
        } finally {
            this.vchasnoWatching.delete(uuid);
            await this.vchasnoPrintIfHeld(this.vchasnoOrder(uuid) || order);
        }
    },
    /** The Point of Sale prints the fiscal ticket by itself (its option). */
    vchasnoPrintsFiscal(order) {
        return this.config.vchasno_active && this.config.vchasno_print_fiscal && order;
    },
    async printReceipt(options = {}) {
        const order = options.order || this.get_order();
        if (order && this.vchasnoHoldPrint === order.uuid) {
            // Odoo's automatic printing of a sale that Vchasno has not
            // answered yet: printed by vchasnoPrintIfHeld, with its data.
            order.uiState.vchasnoPrintHeld = true;
            return true;
        }
        if (order) {
            order.uiState.vchasnoPrintHeld = false; // printed now, by hand
        }
        return await super.printReceipt(...arguments);
    },
    async vchasnoPrintIfHeld(order) {
        if (order?.uiState.vchasnoPrintHeld) {
            order.uiState.vchasnoPrintHeld = false;
            await this.printReceipt({ order });
        }
    },
});
