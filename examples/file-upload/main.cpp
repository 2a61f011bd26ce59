// Uploads: an HTML form at "/", and POST /upload streaming each file of a
// multipart/form-data body straight to a directory, never holding a whole
// file in memory.
//
//   file-upload [port] [directory]        (defaults: 8080, ./uploads)
//   curl -F 'note=hi' -F 'file=@photo.jpg' http://127.0.0.1:8080/upload
#include <lwspp/http_form.hpp>
#include <lwspp/http_server.hpp>

#include <filesystem>
#include <iostream>
#include <memory>

namespace http = lwspp::http;

constexpr std::string_view form_page = R"(<!doctype html>
<meta charset="utf-8"><title>Upload</title>
<form method="post" action="/upload" enctype="multipart/form-data">
  <input type="file" name="file" multiple> <input name="note" placeholder="note">
  <button>Upload</button>
</form>
)";

// What one upload request keeps between its body callbacks.
struct upload_state {
  std::unique_ptr<http::upload_to_directory> sink;
  lwspp::error_info failure;
  bool failed = false;
};

int main(int argc, char** argv) {
  const std::string port = argc > 1 ? argv[1] : "8080";
  const std::string dir = argc > 2 ? argv[2] : "uploads";
  std::filesystem::create_directories(dir);

  lwspp::context ctx;
  http::server app;
  app.get("/", [](auto&, http::response& res) { res.content_type("text/html").send(form_page); });
  app.route(http::method::post, "/upload",
            {
                .on_request =
                    [dir](http::request& req, http::response&) {
                      auto& st = req.state_as<upload_state>();
                      auto sink = http::upload_to_directory::make(req.header("content-type"),
                                                                  {.directory = dir});
                      if (sink) {
                        st.sink = std::move(sink.value());
                      } else {
                        st.failed = true;
                        st.failure = sink.error();
                      }
                    },
                .on_body =
                    [](http::request& req, http::response&, std::string_view piece) {
                      auto& st = req.state_as<upload_state>();
                      if (st.failed) return;
                      if (auto ok = st.sink->feed(piece); !ok) {
                        st.failed = true;
                        st.failure = ok.error();
                      }
                    },
                .on_body_end =
                    [](http::request& req, http::response& res) {
                      auto& st = req.state_as<upload_state>();
                      if (!st.failed) {
                        if (auto ok = st.sink->finish(); !ok) {
                          st.failed = true;
                          st.failure = ok.error();
                        }
                      }
                      if (st.failed) {
                        res.send(http::http_status(st.failure.code), st.failure.message() + "\n");
                        return;
                      }
                      std::string report;
                      for (const auto& f : st.sink->files())
                        report += f.path + " (" + std::to_string(f.size) + " bytes)\n";
                      for (const auto& [name, value] : st.sink->fields())
                        report += name + " = " + value + "\n";
                      res.send(report);
                    },
                .max_body = 256 * 1024 * 1024,
            });

  auto vh = app.listen(ctx, {.listen = "127.0.0.1:" + port});
  if (!vh) {
    std::cerr << "file-upload: " << vh.error().message() << "\n";
    return 1;
  }
  std::cout << "upload form on http://" << (*vh)->bound_address().to_string() << "/\n";
  ctx.handle_signals();
  ctx.run();
}
