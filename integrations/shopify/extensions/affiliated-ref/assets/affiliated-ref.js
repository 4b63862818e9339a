(function(){
  var ok = /^[A-Za-z0-9._~-]{1,64}$/;
  var q = new URLSearchParams(location.search);
  function cookie(n){var m=document.cookie.match('(?:^|; )'+n+'=([^;]*)');
    if (!m) return null; try {return decodeURIComponent(m[1]);}
    catch (e) {return null;}}
  function keep(n,v){document.cookie=n+'='+(v?encodeURIComponent(v):'')+
    ';path=/;max-age='+(v?2592000:0)+';SameSite=Lax';}
  var ref = q.get('ref'), click = q.get('affiliated_click');
  if (click && !ok.test(click)) click = null;
  if (ref && ok.test(ref)) { keep('aff_ref', ref); keep('aff_click', click); }
  else { ref = cookie('aff_ref'); click = ref ? cookie('aff_click') : null; }
  if (!ref || !ok.test(ref)) return;
  if (click && !ok.test(click)) click = null;
  var root = (window.Shopify && Shopify.routes && Shopify.routes.root) || '/';
  fetch(root + 'cart.js', {credentials: 'same-origin'})
  .then(function(r){ return r.json(); })
  .then(function(cart){
    var a = (cart && cart.attributes) || {};
    if (a.ref === ref && (a.affiliated_click || '') === (click || '')) return;
    return fetch(root + 'cart/update.js', {method: 'POST',
      credentials: 'same-origin',
      headers: {'Content-Type': 'application/json'},
      body: JSON.stringify({attributes: {ref: ref,
        affiliated_click: click || ''}})});
  }).catch(function(){});
})();
