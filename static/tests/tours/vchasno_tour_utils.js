/**
 * Steps shared by the Vchasno tours.
 *
 * - printInFrame(): the "Print fiscal receipt" action opens the receipt page in
 *   a new tab (act_url, target new). A tour cannot follow a new tab, so the page
 *   is shown in a full-window frame of this tab instead: the same URL, the same
 *   browser, and the tour can read it (":iframe" triggers).
 * - frameShowsFiscalNumber(): the receipt page in the frame shows the fiscal
 *   number that Odoo stored on the receipt record(s) it names.
 * - screenshot(name): asks the Python test (tests/tour_screenshots.py) to
 *   capture the window; it answers by setting window.__vchasnoShot.
 */
import { browser } from "@web/core/browser/browser";
import { rpc } from "@web/core/network/rpc";

const FRAME_CLASS = "o_vchasno_tour_frame";

function delay(ms) {
    return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function waitFor(check, what, timeout = 30000) {
    const start = Date.now();
    while (Date.now() - start < timeout) {
        if (await check()) {
            return;
        }
        await delay(200);
    }
    throw new Error(`Timed out waiting for ${what}`);
}

function frame() {
    return document.querySelector(`iframe.${FRAME_CLASS}`);
}

export function frameText() {
    const doc = frame()?.contentDocument;
    return (doc && doc.readyState === "complete" && doc.body?.innerText) || "";
}

/** The receipt ids in the frame's /vchasno/receipt(s)/<ids> URL. */
export function frameReceiptIds() {
    const match = /\/vchasno\/receipts?\/([\d,]+)/.exec(frame()?.src || "");
    if (!match) {
        throw new Error(`The frame does not show a receipt page: ${frame()?.src}`);
    }
    return match[1].split(",").map(Number);
}

export function printInFrame() {
    return {
        content: "open printed receipts in a frame of this tab",
        trigger: "body",
        run() {
            frame()?.remove();
            browser.open = (url) => {
                const iframe = document.createElement("iframe");
                iframe.className = FRAME_CLASS;
                iframe.style.cssText =
                    "position:fixed;inset:0;width:100%;height:100%;border:0;" +
                    "z-index:2000;background:#eee";
                iframe.src = url;
                document.body.appendChild(iframe);
                return { closed: false };
            };
        },
    };
}

export function closeFrame() {
    return {
        content: "close the receipt frame",
        trigger: `iframe.${FRAME_CLASS}`,
        run() {
            frame().remove();
        },
    };
}

export async function readReceipts(ids, fields) {
    return rpc("/web/dataset/call_kw/vchasno.receipt/read", {
        model: "vchasno.receipt",
        method: "read",
        args: [ids, fields],
        kwargs: {},
    });
}

export function frameShowsFiscalNumber() {
    return {
        content: "the receipt page shows the fiscal number of the record",
        trigger: ":iframe .o_vk_receipt",
        timeout: 60000,
        async run() {
            const ids = frameReceiptIds();
            let receipts = [];
            await waitFor(
                async () => {
                    receipts = await readReceipts(ids, ["fiscal_number", "state"]);
                    return receipts.every((r) => r.state === "done" && r.fiscal_number);
                },
                `receipts ${ids} done with a fiscal number`,
                25000
            );
            await waitFor(
                () => receipts.every((r) => frameText().includes(r.fiscal_number)),
                `the fiscal number(s) ${receipts.map((r) => r.fiscal_number)} on the page`,
                25000
            );
        },
    };
}

export function screenshot(name) {
    return {
        content: `screenshot ${name}`,
        trigger: "body",
        timeout: 20000,
        async run() {
            // Let the last render and the frame's fonts settle.
            await delay(300);
            console.log(`vchasno-screenshot:${name}`);
            await waitFor(() => window.__vchasnoShot === name, `screenshot ${name}`, 15000);
        },
    };
}
