Feature: Using the line in my own language
  The line speaks English, Twi, Ewe, Ga and French. I choose my language on the welcome screen
  (or later under My account), and every screen and SMS after that is in it.

  Background:
    Given the line offers English, Twi, Ewe, Ga and French

  Scenario Outline: I choose <language>, register and reach the main menu in it
    When I dial the service
    Then I see "3. Language"
    When I choose "Language"
    Then I see "<language>" among the languages
    When I choose "<language>"
    Then I see the welcome screen in <language>
    When I register in <language> as "Ama Mensah"
    Then the session ends in <language>
    And I receive the registration SMS in <language>
    When staff verify my registration
    And I dial the service
    Then I see the main menu in <language>

    Examples:
      | language |
      | English  |
      | Twi      |
      | Evegbe   |
      | Ga       |
      | Francais |

  Scenario: I change my language under My account and the line answers in it from then on
    Given I am a verified customer "Ama Mensah"
    When I dial the service
    And I choose "My account"
    And I choose "Language"
    And I choose "Francais"
    Then I see the main menu in Francais
    When I dial again
    Then I see the main menu in Francais

  Scenario: A line that offers one language shows no language choice
    Given the line offers English only
    When I dial the service
    Then I do not see "Language"
