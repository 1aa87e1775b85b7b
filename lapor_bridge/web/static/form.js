// Progressive enhancement of the complaint form; the form works without it.
(function () {
  "use strict";
  var kecamatan = document.getElementById("kecamatan");
  var kelurahan = document.getElementById("kelurahan");
  if (kecamatan && kelurahan) {
    var filter = function () {
      var chosen = kecamatan.value;
      Array.prototype.forEach.call(kelurahan.querySelectorAll("optgroup"), function (group) {
        var show = !chosen || group.dataset.kecamatan === chosen;
        group.hidden = !show;
        group.disabled = !show;
      });
      var selected = kelurahan.selectedOptions[0];
      if (selected && selected.parentElement.disabled) { kelurahan.value = ""; }
    };
    kecamatan.addEventListener("change", filter);
    filter();
  }
  var photo = document.getElementById("photo");
  if (photo) {
    photo.addEventListener("change", function () {
      var tooBig = Array.prototype.some.call(photo.files, function (f) { return f.size > 5 * 1048576; });
      photo.setCustomValidity(tooBig ? "Foto paling besar 5 MB." : (photo.files.length > 3 ? "Paling banyak 3 foto." : ""));
    });
  }
  // The location button and map: location-picker.js.
})();
