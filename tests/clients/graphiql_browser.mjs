// Drives GraphiQL in headless Chromium as a person would: types the bearer token into the
// headers editor and each query into the query editor, runs it, and reads the response
// pane. Requests to any other origin are refused and reported, so the page must work
// offline. Prints one JSON object; tests/clients/test_graphiql_browser.py checks it.
//
// node graphiql_browser.mjs CHROMIUM PROFILE_DIR URL TOKEN SCREENSHOT QUERY...
import { chromium } from "playwright-core";

const [executablePath, profile, url, token, screenshot, ...queries] = process.argv.slice(2);
const origin = new URL(url).origin;

const context = await chromium.launchPersistentContext(profile, {
  executablePath,
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  viewport: { width: 1280, height: 800 },
});
const elsewhere = [];
const pageErrors = [];
const assets = [];
await context.route("**/*", (route) => {
  const requested = route.request().url();
  if (new URL(requested).origin === origin) return route.continue();
  elsewhere.push(requested);
  return route.abort("internetdisconnected");
});

try {
  const page = context.pages()[0] ?? (await context.newPage());
  page.on("pageerror", (error) => pageErrors.push(String(error)));
  page.on("response", (response) => {
    if (new URL(response.url()).pathname.startsWith("/graphiql/")) {
      assets.push({ path: new URL(response.url()).pathname, status: response.status() });
    }
  });
  await page.goto(url, { waitUntil: "load" });

  const queryEditor = page.locator(".graphiql-query-editor .CodeMirror");
  const headersEditor = page.locator(
    ".graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror",
  );
  const responsePane = page.locator(".result-window .CodeMirror");
  const execute = page.locator("button.graphiql-execute-button");
  await queryEditor.waitFor({ timeout: 30_000 });

  // Replace an editor's text by selecting all and typing (insertText skips auto-closing).
  async function type(editor, text) {
    await editor.click();
    await page.keyboard.press("Control+A");
    await page.keyboard.press("Delete");
    await page.keyboard.insertText(text);
    // GraphiQL parses the document after a pause in typing; a subscription is only sent
    // over WebSocket once it has seen that the document is one.
    await page.waitForTimeout(500);
    return editor.evaluate((element) => element.CodeMirror.getValue());
  }

  await page.getByRole("button", { name: "Headers" }).click();
  const headers = await type(headersEditor, JSON.stringify({ Authorization: `Bearer ${token}` }));

  const results = [];
  for (const query of queries) {
    const typed = await type(queryEditor, query);
    const before = await responsePane.evaluate((element) => element.CodeMirror.getValue());
    await execute.click();
    await page.waitForFunction(
      (previous) => {
        const value = document.querySelector(".result-window .CodeMirror").CodeMirror.getValue();
        return value.trim() !== "" && value !== previous;
      },
      before,
      { timeout: 30_000 },
    );
    results.push({
      typed,
      response: JSON.parse(await responsePane.evaluate((element) => element.CodeMirror.getValue())),
      shown: await page.locator(".result-window").innerText(),
    });
  }
  await page.screenshot({ path: screenshot, fullPage: true });
  console.log(JSON.stringify({ headers, results, assets, elsewhere, pageErrors }));
} finally {
  await context.close();
}
