Feature: Registering on the line
  As someone who has never used the line, I dial the short code and register with my name,
  my town, my GhanaPost GPS address and a PIN, so that I can order gas after staff verify me.

  Background:
    Given I am not registered

  Scenario: I see the welcome screen with the company name
    When I dial the service
    Then I see "Welcome to Demo Gas"
    And I see "1. Register"
    And I see "2. Customer care"

  Scenario: I register and am told it will be verified
    When I dial the service
    And I enter "1", "ama", "MENSAH", "Accra", "ga1838164"
    Then I see "Choose a 4-digit PIN"
    When I enter "4826", "4826"
    Then I see "Ama Mensah, Accra, GA-183-8164"
    When I enter "1"
    Then the session ends with "will be verified"
    And I receive an SMS containing "registration was received"

  Scenario: I skip the GPS address
    When I dial the service
    And I enter "1", "Kofi", "Boateng", "Kumasi", "9", "4826", "4826"
    Then I see "Kofi Boateng, Kumasi, no GPS address"
