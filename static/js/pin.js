// Position pin of the site form: a draggable marker writes the latitude and longitude fields.
// Without JavaScript the fields stay as plain inputs.
(function () {
  var box = document.getElementById('pin-map');
  if (!box || !window.L) { return; }
  var lat = document.getElementById('latitude'), lon = document.getElementById('longitude');
  var start = [parseFloat(box.dataset.lat) || 45.75, parseFloat(box.dataset.lon) || 4.85];
  box.hidden = false;
  document.getElementById('pin-help').hidden = false;
  var map = L.map(box).setView(start, 16);
  L.tileLayer(box.dataset.tiles, {maxZoom: 19}).addTo(map);
  var marker = L.marker(start, {draggable: true, keyboard: true, title: 'Position du lieu'}).addTo(map);
  function write(p) { lat.value = p.lat.toFixed(6); lon.value = p.lng.toFixed(6); }
  marker.on('dragend', function () { write(marker.getLatLng()); });
  map.on('click', function (e) { marker.setLatLng(e.latlng); write(e.latlng); });
  function read() {
    var p = [parseFloat(lat.value), parseFloat(lon.value)];
    if (isFinite(p[0]) && isFinite(p[1])) { marker.setLatLng(p); map.panTo(p); }
  }
  lat.addEventListener('change', read);
  lon.addEventListener('change', read);
})();
