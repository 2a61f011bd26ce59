// Tests for the MIME lookup (src/http/mime_types.cpp, generated table).
#include "http/mime_types.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace {

using lwspp::http::compressible_type;
using lwspp::http::content_type_for;
using lwspp::http::default_mime_type;
using lwspp::http::mime_entries;
using lwspp::http::mime_is_text;
using lwspp::http::mime_type_for;

TEST(MimeTypes, TableIsLargeSortedLowerCaseAndUnique) {
  const auto table = mime_entries();
  EXPECT_GT(table.size(), 1000u);
  for (std::size_t i = 0; i < table.size(); ++i) {
    const auto& e = table[i];
    ASSERT_FALSE(e.extension.empty());
    EXPECT_EQ(e.extension.find('.'), std::string_view::npos) << e.extension;
    for (char c : e.extension) {
      EXPECT_FALSE(c >= 'A' && c <= 'Z') << e.extension;
    }
    if (i > 0) {
      EXPECT_LT(table[i - 1].extension, e.extension);
    }
    // The generator's charset rule and mime_is_text agree.
    const bool has_charset = e.content_type.ends_with("; charset=utf-8");
    EXPECT_EQ(has_charset, mime_is_text(e.content_type)) << e.extension;
    EXPECT_NE(e.content_type.find('/'), std::string_view::npos) << e.extension;
  }
}

TEST(MimeTypes, CommonWebTypes) {
  EXPECT_EQ(mime_type_for("index.html"), "text/html");
  EXPECT_EQ(mime_type_for("a.htm"), "text/html");
  EXPECT_EQ(mime_type_for("style.css"), "text/css");
  EXPECT_EQ(mime_type_for("app.js"), "text/javascript");
  EXPECT_EQ(mime_type_for("mod.mjs"), "text/javascript");
  EXPECT_EQ(mime_type_for("x.wasm"), "application/wasm");
  EXPECT_EQ(mime_type_for("data.json"), "application/json");
  EXPECT_EQ(mime_type_for("app.webmanifest"), "application/manifest+json");
  EXPECT_EQ(mime_type_for("logo.svg"), "image/svg+xml");
  EXPECT_EQ(mime_type_for("a.png"), "image/png");
  EXPECT_EQ(mime_type_for("a.jpg"), "image/jpeg");
  EXPECT_EQ(mime_type_for("a.jpeg"), "image/jpeg");
  EXPECT_EQ(mime_type_for("a.webp"), "image/webp");
  EXPECT_EQ(mime_type_for("a.avif"), "image/avif");
  EXPECT_EQ(mime_type_for("f.woff2"), "font/woff2");
  EXPECT_EQ(mime_type_for("readme.txt"), "text/plain");
  EXPECT_EQ(mime_type_for("v.mp4"), "video/mp4");
  EXPECT_EQ(mime_type_for("seg.ts"), "video/mp2t");
  EXPECT_EQ(mime_type_for("doc.pdf"), "application/pdf");
  EXPECT_EQ(mime_type_for("x.map"), "application/json");
}

TEST(MimeTypes, ExtensionRules) {
  EXPECT_EQ(mime_type_for("INDEX.HTML"), "text/html");
  EXPECT_EQ(mime_type_for("Photo.JpG"), "image/jpeg");
  EXPECT_EQ(mime_type_for("/srv/www/a.b/index.html"), "text/html");
  EXPECT_EQ(mime_type_for("x.tar.gz"), "application/gzip");
  EXPECT_EQ(mime_type_for("/srv/www/a.html/README"), default_mime_type);
  EXPECT_EQ(mime_type_for("README"), default_mime_type);
  EXPECT_EQ(mime_type_for(".bashrc"), default_mime_type);
  EXPECT_EQ(mime_type_for("dir/.html"), default_mime_type);
  EXPECT_EQ(mime_type_for("file."), default_mime_type);
  EXPECT_EQ(mime_type_for(""), default_mime_type);
  EXPECT_EQ(mime_type_for("x.unknownextension"), default_mime_type);
  EXPECT_EQ(mime_type_for("x.abcdefghijklmnopqrstuvwxyz0123456789"), default_mime_type);
  EXPECT_EQ(mime_type_for(std::string_view("x.ht\0ml", 7)), default_mime_type);
  EXPECT_EQ(default_mime_type, "application/octet-stream");
}

TEST(MimeTypes, ContentTypeAddsCharsetForText) {
  EXPECT_EQ(content_type_for("a.html"), "text/html; charset=utf-8");
  EXPECT_EQ(content_type_for("a.js"), "text/javascript; charset=utf-8");
  EXPECT_EQ(content_type_for("a.css"), "text/css; charset=utf-8");
  EXPECT_EQ(content_type_for("a.json"), "application/json");
  EXPECT_EQ(content_type_for("a.svg"), "image/svg+xml");
  EXPECT_EQ(content_type_for("a.png"), "image/png");
  EXPECT_EQ(content_type_for("noext"), "application/octet-stream");
  EXPECT_TRUE(mime_is_text("text/plain"));
  EXPECT_TRUE(mime_is_text("TEXT/Plain; charset=latin1"));
  EXPECT_FALSE(mime_is_text("application/json"));
  EXPECT_FALSE(mime_is_text("texts/plain"));
  EXPECT_FALSE(mime_is_text(""));
}

TEST(MimeTypes, Compressible) {
  for (std::string_view t :
       {"text/html", "text/css", "text/javascript; charset=utf-8", "application/javascript",
        "application/json", "application/manifest+json", "application/ld+json", "application/xml",
        "image/svg+xml", "application/atom+xml", "application/wasm", "font/ttf", "font/otf",
        "image/vnd.microsoft.icon", "Application/JSON", " text/plain ; charset=utf-8"}) {
    EXPECT_TRUE(compressible_type(t)) << t;
  }
  for (std::string_view t :
       {"image/png", "image/jpeg", "image/webp", "image/avif", "video/mp4", "audio/mpeg",
        "application/zip", "application/gzip", "application/zstd", "font/woff", "font/woff2",
        "application/pdf", "application/octet-stream", "application/epub+zip", "", "text",
        "application/jsonx"}) {
    EXPECT_FALSE(compressible_type(t)) << t;
  }
  EXPECT_TRUE(compressible_type(mime_type_for("app.js")));
  EXPECT_FALSE(compressible_type(mime_type_for("a.gz")));
}

// Every entry is found by its own extension, in any case.
TEST(MimeTypes, EveryEntryRoundTrips) {
  for (const auto& e : mime_entries()) {
    std::string name = "file." + std::string(e.extension);
    EXPECT_EQ(content_type_for(name), e.content_type) << name;
    for (char& c : name) {
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
    }
    EXPECT_EQ(content_type_for(name), e.content_type) << name;
  }
}

}  // namespace
