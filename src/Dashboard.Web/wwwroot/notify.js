// Desktop notifications for the live tail, opted into by the user: the browser asks for permission once.
window.saasmonNotify = {
  enable: function () {
    if (!("Notification" in window)) {
      return Promise.resolve("unsupported");
    }
    return Notification.permission === "granted" ? Promise.resolve("granted") : Notification.requestPermission();
  },
  show: function (title, body) {
    if ("Notification" in window && Notification.permission === "granted") {
      new Notification(title, { body: body, tag: "saasmon-errors" });
    }
  }
};
