// Task page: preview a chosen image before it is uploaded.
document.querySelectorAll('input[type=file][data-preview]').forEach(function (input) {
  input.addEventListener('change', function () {
    var img = document.getElementById(input.dataset.preview);
    var file = input.files && input.files[0];
    if (!img) return;
    if (file && file.type.indexOf('image/') === 0) {
      img.src = URL.createObjectURL(file);
      img.classList.remove('d-none');
    } else {
      img.removeAttribute('src');
      img.classList.add('d-none');
    }
  });
});
