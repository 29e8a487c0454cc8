// Eleventy settings, written by `wpcpd export markdown --layout eleventy` (only when absent).
// Yours to change: wpcpd never overwrites this file. Build with `npx @11ty/eleventy`.
module.exports = function (eleventyConfig) {
  // wpcpd's own bookkeeping (manifest, redirects) is not part of the site.
  eleventyConfig.ignores.add(".wpcpd/**");
  // The media wpcpd copied, kept at their WordPress paths (/wp-content/uploads/...), copied
  // as they are: an uploaded .html or .md file is not a template.
  eleventyConfig.ignores.add("wp-content/**");
  eleventyConfig.addPassthroughCopy("wp-content");

  // Comments are Markdown: render them with the same markdown-it the posts go through.
  let markdown;
  eleventyConfig.amendLibrary("md", (library) => {
    markdown = library;
    // WordPress footnotes become Markdown footnotes ([^1]); markdown-it needs a plugin for
    // them (npm install markdown-it-footnote). Without it they show as typed.
    try {
      library.use(require("markdown-it-footnote"));
    } catch (missing) {
      if (missing.code !== "MODULE_NOT_FOUND") throw missing;
    }
  });
  eleventyConfig.addFilter("wpcpdMarkdown", (text) => {
    if (!markdown) throw new Error("wpcpdMarkdown: Eleventy has not set up its Markdown library");
    return markdown.render(text || "");
  });

  // The comments of one level of a thread: the approved replies to `parent`; at the top level
  // (parent 0) also the approved replies to a comment that is not shown, as WordPress does.
  eleventyConfig.addFilter("wpcpdReplies", (comments, parent) => {
    const approved = (comments || []).filter((c) => c.status === "approved");
    const shown = new Set(approved.map((c) => c.id));
    return approved.filter((c) => c.parent === parent || (parent === 0 && !shown.has(c.parent)));
  });

  eleventyConfig.addFilter("wpcpdDate", (date) => new Date(date).toISOString().slice(0, 10));

  return {
    dir: { input: ".", includes: "_includes", data: "_data" },
    markdownTemplateEngine: false,
  };
};
