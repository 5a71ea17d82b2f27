from django.shortcuts import render


def radio_home(request):
    return render(request, "radio/home.html", {})
